/* eslint-disable */
// The realtime bench's floor: a bare socket.io server (node:http, no Nest, no token check) that takes the same steps a
// client sees on Gatehouse's /realtime: a namespace middleware that reads `auth.token`, a join of the socket's room, a
// `whoami` acknowledgement, the same engine options (no per-message deflate). What socket.io, engine.io and ws
// themselves cost per handshake on this machine: neither Gatehouse nor the peer can go under it. Dev-only: started by
// bench/realtime.js with PEER_PORT.
'use strict';
const http = require('node:http');
const { Server } = require('socket.io');

const server = http.createServer();
const io = new Server(server, { serveClient: false, perMessageDeflate: false });
io.of('/realtime')
  .use((socket, next) => {
    const token = socket.handshake.auth && socket.handshake.auth.token;
    if (typeof token !== 'string' || token === '') return next(new Error('no token'));
    socket.data.user = token.slice(-16);
    next();
  })
  .on('connection', (socket) => {
    socket.join(`user:${socket.data.user}`);
    socket.on('whoami', (ack) => typeof ack === 'function' && ack({ userId: socket.data.user }));
  });
server.listen(Number(process.env.PEER_PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
