/* eslint-disable */
// The HTTP bench's floor for issue #10's "/users/me >= 0.95x /health": a NestJS 11 app on the same Fastify platform
// that runs, per request, Gatehouse's own pieces around its routes (its security-header hook, its request context, its
// request log line, its reply serializer) and a global guard, but whose authenticated route does the least any
// bearer-token route can: ONE Map look-up of the token's text, no verification, no user row, no rules, and an answer
// rendered once (the same 297-byte profile shape). Its /users/me over its /health is what the platform lets an
// authenticated route reach on this machine.
// Dev-only: started by bench/run.js with PEER_PORT. NOT secure (it trusts any token it is shown): never deploy it.
'use strict';
require('reflect-metadata');
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { Controller, Get, Module, SetMetadata } = require('@nestjs/common');
const { APP_GUARD, NestFactory, Reflector } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const pino = require('pino');

// Gatehouse's own per-request pieces, from the build (`npm run bench` builds first): the floor differs from Gatehouse
// only in what its guard and handler do.
const dist = (path) => require(join(__dirname, '..', 'dist', path));
const { securityHeaderSets, securityHeadersHook } = dist('common/http/security-headers');
const { installRequestContext } = dist('common/http/request-context.hook');
const { currentPrincipal } = dist('common/request-context');
const { requestLogHook } = dist('common/http/request-log');
const { serializeReply, sharedAnswer } = dist('common/http/shared-answers');

const PUBLIC = 'floor:public';

// token text -> principal (with its profile): filled on first sight (the floor verifies nothing).
const known = new Map();
function principalFor(token) {
  let principal = known.get(token);
  if (!principal) {
    const id = randomUUID();
    const profile = sharedAnswer({
      id,
      email: `${id}@bench.example.com`,
      fullName: null,
      role: 'user',
      status: 'active',
      emailVerified: true,
      mfaEnabled: false,
      mfaRequired: false,
      organizationId: null,
      provider: 'oidc',
      createdAt: new Date().toISOString(),
    });
    principal = Object.freeze({ userId: id, profile });
    known.set(token, principal);
  }
  return principal;
}

class FloorGuard {
  constructor(reflector) {
    this.reflector = reflector;
  }
  canActivate(context) {
    if (this.reflector.get(PUBLIC, context.getHandler())) return true;
    const req = context.switchToHttp().getRequest();
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.length < 8) return false;
    req.principal = principalFor(header.slice(7));
    return true;
  }
}
Reflect.defineMetadata('design:paramtypes', [Reflector], FloorGuard);

class FloorController {
  health() {
    return { status: 'ok' };
  }
  me() {
    // The guard's principal, read from the request context as Gatehouse's handler does: no second look-up.
    return currentPrincipal().profile;
  }
}
const method = (name) => [FloorController.prototype, name, Object.getOwnPropertyDescriptor(FloorController.prototype, name)];
SetMetadata(PUBLIC, true)(...method('health'));
Get('health')(...method('health'));
Get('api/v1/users/me')(...method('me'));
Controller()(FloorController);

class FloorModule {}
Module({ controllers: [FloorController], providers: [{ provide: APP_GUARD, useClass: FloorGuard }] })(FloorModule);

async function main() {
  const adapter = new FastifyAdapter({ logger: false, genReqId: () => randomUUID(), requestIdHeader: false });
  const app = await NestFactory.create(FloorModule, adapter, { logger: false, bodyParser: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRequest', securityHeadersHook(securityHeaderSets(true), false));
  fastify.addHook('onResponse', requestLogHook(pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }))));
  installRequestContext(fastify);
  fastify.setReplySerializer(serializeReply);
  await app.listen(Number(process.env.PEER_PORT), '127.0.0.1');
}
main();
process.on('SIGTERM', () => process.exit(0));
