/* eslint-disable */
// The gateway bench's internal service, in its own process (as a real one would be; sharing the load generator's event
// loop would slow every target that calls it): a small JSON answer on GET; any upload is drained and its bytes counted.
// Prints its port on stdout once listening. Dev-only: started by bench/gateway.js.
'use strict';
const http = require('node:http');

const SMALL = process.env.UPSTREAM_BODY;
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(SMALL) }).end(SMALL);
    return;
  }
  let bytes = 0;
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes })));
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
