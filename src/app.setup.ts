import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyCookie from '@fastify/cookie';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { AUTH_REQUEST_FIELDS } from './auth';
import { byteSize } from './common/http/body-rules';
import { DOCS_PATH } from './common/http/content-security';
import { completeErrorContract } from './common/openapi/error-contract';
import { installBodyParser, refuseUnacceptedBody } from './common/http/fastify-body';
import { installRequestContext } from './common/http/request-context.hook';
import { requestLogHook } from './common/http/request-log';
import { serializeReply } from './common/http/shared-answers';
import { securityHeaderSets, securityHeadersHook } from './common/http/security-headers';
import { QuietFrameworkLogger, requestIdFor, ROOT_LOGGER } from './common/logging';
import { AppConfig } from './config/config.types';
import { serveConsole } from './admin';
import { installGateway } from './gateway';
import { RealtimeIoAdapter } from './realtime';

export const API_PREFIX = 'api/v1';
/** GET routes served at the root, outside API_PREFIX (probes and the well-known documents). */
export const UNPREFIXED_PATHS: readonly string[] = ['health', 'ready', '.well-known/jwks.json', '.well-known/openid-configuration'];

/**
 * The Fastify instance's options. Its router is left strict on purpose: case-sensitive, no trailing-slash or
 * doubled-slash folding, so a path spelled any other way is a 404, never a second door (test/e2e/platform/path-spellings).
 */
export function createAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    // Which X-Forwarded-For hops are believed (a hop count or proxy addresses/CIDRs, as Express took them): decides
    // req.ip, and through clientAddress() limits, logs and audit rows.
    trustProxy: config.trustProxy,
    bodyLimit: byteSize(config.bodyLimit),
    // The id is assigned before anything else runs, so even a refused body's error carries one.
    genReqId: (req: IncomingMessage) => requestIdFor(req.headers),
    requestIdHeader: false,
    // The request line is our own onResponse hook (request-log.ts); Fastify's logger (and its two lines) stays off.
    logger: false,
  });
}

/** Builds the whole app exactly as production runs it; the e2e tests call configureApp too, so they test the real wiring. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl), createAdapter(config), {
    bufferLogs: true,
    // Nest's parsers stay off: installBodyParser reads every body itself and keeps the raw bytes (req.rawBody).
    bodyParser: false,
  });
  await configureApp(app, config);
  return app;
}

export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(new QuietFrameworkLogger(app.get(Logger)));
  const fastify = app.getHttpAdapter().getInstance();
  const headers = securityHeaderSets(config.isProduction);
  // The strict set on every answer, the console's under /admin, Swagger UI's under /api/docs when served; the request id.
  fastify.addHook('onRequest', securityHeadersHook(headers, config.apiDocs));
  // JSON only, forms on FORM_ROUTES alone; compressed bodies refused; both before the body is read.
  fastify.addHook('onRequest', refuseUnacceptedBody);
  fastify.addHook('onResponse', requestLogHook(app.get<PinoLogger>(ROOT_LOGGER)));
  // Request id, client address and user agent (and, after the guard, the caller's role) for audit rows.
  installRequestContext(fastify);
  installBodyParser(fastify, byteSize(config.bodyLimit));
  // What the auth guard attaches (the principal, the token), declared so every request has one shape.
  for (const field of AUTH_REQUEST_FIELDS) fastify.decorateRequest(field, undefined);
  // JSON.stringify as Fastify's default, except for answers rendered once (shared-answers.ts: the cached profile).
  fastify.setReplySerializer(serializeReply);
  // Hosted login's cookies; unsigned (the transaction cookie is sealed, the session cookie is a verified token).
  await app.register(fastifyCookie);
  // The auth gateway's proxy (reply-from on undici) and its refusal of WebSocket upgrades; its bodies bypass the parser
  // above (STREAMED_ROUTE_PREFIX).
  await installGateway(app);
  const allowed = new Set(config.corsOrigins);
  app.enableCors({
    // Only listed origins get CORS headers (and with them credentials); anything else is left to the browser to block.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_PATHS.map((path) => ({ path, method: RequestMethod.GET })) });
  if (config.apiDocs) setupOpenApi(app);
  // The admin console's static files under /admin (its CSP is chosen by the header hook above).
  await serveConsole(app);
  // socket.io on the same server, with the realtime limits (WS_*) fixed when it is created.
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config));
}

function setupOpenApi(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription('Auth and onboarding API. Errors are always `{ "error": { "code", "message", "requestId" } }`.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => completeErrorContract(SwaggerModule.createDocument(app, doc)), { jsonDocumentUrl: `${DOCS_PATH.slice(1)}/openapi.json` });
}
