/* eslint-disable */
// The HTTP bench's floor for issue #10's "/users/me >= 0.95x /health": a NestJS 11 app on the same Fastify platform
// that does, per request, what Gatehouse does around its routes (the same security headers set in one onRequest hook,
// a request context opened with AsyncLocalStorage, one pino line per request with the user id when there is one, a
// global guard), but whose authenticated route does the least any bearer-token route can do: ONE Map look-up of the
// token's text, no verification, no user row, no rules, and an answer rendered once (the same 297-byte profile shape).
// Its /users/me over its /health is what the platform lets an authenticated route reach on this machine; Gatehouse,
// which also checks expiry, status, roles, revocation and keeps its caches fresh, cannot do better.
// Dev-only: started by bench/run.js with PEER_PORT. NOT secure (it trusts any token it is shown): never deploy it.
'use strict';
require('reflect-metadata');
const { AsyncLocalStorage } = require('node:async_hooks');
const { randomUUID } = require('node:crypto');
const { Controller, Get, Module, SetMetadata } = require('@nestjs/common');
const { APP_GUARD, NestFactory, Reflector } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const pino = require('pino');

const PUBLIC = 'floor:public';
const storage = new AsyncLocalStorage();
const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
// Gatehouse's strict header set (values as production sends them).
const HEADERS = [
  ['content-security-policy', "default-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none';upgrade-insecure-requests"],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
  ['cache-control', 'no-store'],
];

// token text -> { principal, profile }: filled on first sight (the floor verifies nothing).
const known = new Map();
const rendered = new WeakMap();
function entryFor(token) {
  let entry = known.get(token);
  if (!entry) {
    const id = randomUUID();
    const profile = Object.freeze({
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
    rendered.set(profile, JSON.stringify(profile));
    entry = { principal: Object.freeze({ userId: id, profile }) };
    known.set(token, entry);
  }
  return entry;
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
    req.principal = entryFor(header.slice(7)).principal;
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
    return storage.getStore().principal.profile;
  }
}
SetMetadata(PUBLIC, true)(FloorController.prototype, 'health', Object.getOwnPropertyDescriptor(FloorController.prototype, 'health'));
Get('health')(FloorController.prototype, 'health', Object.getOwnPropertyDescriptor(FloorController.prototype, 'health'));
Get('api/v1/users/me')(FloorController.prototype, 'me', Object.getOwnPropertyDescriptor(FloorController.prototype, 'me'));
Controller()(FloorController);

class FloorModule {}
Module({ controllers: [FloorController], providers: [{ provide: APP_GUARD, useClass: FloorGuard }] })(FloorModule);

async function main() {
  const adapter = new FastifyAdapter({ logger: false, genReqId: () => randomUUID(), requestIdHeader: false });
  const app = await NestFactory.create(FloorModule, adapter, { logger: false, bodyParser: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('principal', undefined);
  fastify.addHook('onRequest', (req, reply, done) => {
    for (const [name, value] of HEADERS) reply.header(name, value);
    reply.header('x-request-id', req.id);
    storage.run(req, done);
  });
  // As Gatehouse does: the handler runs in the context opened for its request.
  fastify.addHook('preHandler', (req, reply, done) => storage.run(req, done));
  fastify.addHook('onResponse', (req, reply, done) => {
    log.info({ req: { id: req.id, method: req.method, url: req.url, route: req.routeOptions.url, ip: req.ip }, userId: req.principal && req.principal.userId, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime * 100) / 100 }, 'request completed');
    done();
  });
  fastify.setReplySerializer((payload) => (typeof payload === 'object' && payload !== null && rendered.get(payload)) || JSON.stringify(payload));
  await app.listen(Number(process.env.PEER_PORT), '127.0.0.1');
}
main();
process.on('SIGTERM', () => process.exit(0));
