/* eslint-disable */
// The bench's peer: a minimal NestJS 11 app on the Express platform whose global guard verifies the same
// Cognito-shaped access tokens with aws-jwt-verify (the pattern nestjs-cognito is built on): RS256 against the
// issuer's JWKS (cached by the library), token_use=access and client_id checked as Gatehouse checks them.
// Dev-only: started by bench/run.js with PEER_PORT, PEER_ISSUER, PEER_CLIENT.
'use strict';
require('reflect-metadata');
const { Controller, Get, Module, Req, UnauthorizedException } = require('@nestjs/common');
const { APP_GUARD, NestFactory } = require('@nestjs/core');
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

class CognitoGuard {
  canActivate(context) {
    const req = context.switchToHttp().getRequest();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) throw new UnauthorizedException();
    return verifier.verify(header.slice(7)).then(
      (payload) => {
        req.user = { sub: payload.sub, clientId: payload.client_id, scope: payload.scope };
        return true;
      },
      () => {
        throw new UnauthorizedException();
      },
    );
  }
}

class UsersController {
  me(req) {
    return req.user;
  }
}
Reflect.decorate([Get('me')], UsersController.prototype, 'me', Object.getOwnPropertyDescriptor(UsersController.prototype, 'me'));
Req()(UsersController.prototype, 'me', 0);
Reflect.decorate([Controller('api/v1/users')], UsersController);

class PeerModule {}
Reflect.decorate([Module({ controllers: [UsersController], providers: [{ provide: APP_GUARD, useValue: new CognitoGuard() }] })], PeerModule);

NestFactory.create(PeerModule, { logger: false })
  .then(async (app) => {
    // aws-jwt-verify's fetcher speaks https only; the loopback issuer is http, so its JWKS is fetched once here and
    // handed to the verifier's cache (what hydrate() would do): every request then verifies against cached keys.
    verifier.cacheJwks(await (await fetch(`${issuer}/.well-known/jwks.json`)).json());
    await app.listen(Number(process.env.PEER_PORT), '127.0.0.1');
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
