/* eslint-disable */
// The realtime bench's peer: a NestJS 11 socket.io gateway (Express platform, the default IoAdapter) that verifies the
// handshake token with aws-jwt-verify in handleConnection, as the nestjs-cognito docs recommend (the client is
// connected before the check; a failed one is disconnected after). `whoami` answers once the check is done, so a
// client waits for the same thing on both servers. Dev-only: started by bench/realtime.js with PEER_PORT,
// PEER_ISSUER, PEER_CLIENT.
'use strict';
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ConnectedSocket, SubscribeMessage, WebSocketGateway } = require('@nestjs/websockets');
const { JwtRsaVerifier } = require('aws-jwt-verify');

const issuer = process.env.PEER_ISSUER;
const client = process.env.PEER_CLIENT;
const verifier = JwtRsaVerifier.create({
  issuer,
  jwksUri: `${issuer}/.well-known/jwks.json`,
  audience: null,
  customJwtCheck: ({ payload }) => {
    if (payload.token_use !== 'access') throw new Error('not an access token');
    if (payload.client_id !== client) throw new Error('client_id mismatch');
  },
});

class AuthGateway {
  handleConnection(socket) {
    const token = socket.handshake.auth && socket.handshake.auth.token;
    socket.data.user = verifier.verify(typeof token === 'string' ? token : '').then(
      (payload) => ({ sub: payload.sub, clientId: payload.client_id }),
      () => {
        socket.disconnect(true);
        return null;
      },
    );
  }
  async whoami(socket) {
    return await socket.data.user;
  }
}
Reflect.decorate([SubscribeMessage('whoami')], AuthGateway.prototype, 'whoami', Object.getOwnPropertyDescriptor(AuthGateway.prototype, 'whoami'));
ConnectedSocket()(AuthGateway.prototype, 'whoami', 0);
Reflect.decorate([WebSocketGateway({ namespace: '/realtime' })], AuthGateway);

class PeerModule {}
Reflect.decorate([Module({ providers: [AuthGateway] })], PeerModule);

NestFactory.create(PeerModule, { logger: false })
  .then(async (app) => {
    // aws-jwt-verify fetches https only; the loopback issuer's JWKS is handed to its cache once (see bench/peer.js).
    verifier.cacheJwks(await (await fetch(`${issuer}/.well-known/jwks.json`)).json());
    await app.listen(Number(process.env.PEER_PORT), '127.0.0.1');
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
