import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppModule } from './app.module';
import { bodyParserError } from './common/errors/error-response';
import { limitJsonShape, requireJsonBody } from './common/http/body-middleware';
import { acceptsForm, isFormMediaType, isJsonMediaType } from './common/http/body-rules';
import { cspFor, DOCS_CSP, DOCS_PATH, STRICT_CSP } from './common/http/content-security';
import { requestId } from './common/logging';
import { AppConfig } from './config/config.types';

export const API_PREFIX = 'api/v1';

/** Builds the whole app exactly as production runs it; the e2e tests call this too, so they test the real wiring. */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, databaseUrl), {
    bufferLogs: true,
    // Raw bytes are kept for webhook signature checks (Stripe signs the exact body).
    rawBody: true,
    bodyParser: false,
  });
  configureApp(app, config);
  return app;
}

export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Which X-Forwarded-For hops are believed: decides req.ip, and through clientAddress() limits, logs and audit rows.
  app.set('trust proxy', config.trustProxy);
  // Responses are per caller and often carry tokens: nothing may be stored by browsers or proxies, so no ETags either.
  app.set('etag', false);
  app.use((_req: IncomingMessage, res: ServerResponse, next: () => void) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // The request id is assigned before the body is parsed so even a malformed body's error carries one.
  app.use((req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void) => {
    req.id = requestId(req, res);
    next();
  });
  // JSON only, forms on FORM_ROUTES alone: see requireJsonBody. Compressed bodies are refused there, and never inflated here.
  app.use(requireJsonBody);
  app.useBodyParser('json', { limit: config.bodyLimit, inflate: false, type: (req: IncomingMessage) => isJsonMediaType(req.headers['content-type']) });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, inflate: false, extended: false, type: (req: IncomingMessage) => acceptsForm(req.url) && isFormMediaType(req.headers['content-type']) });
  app.use(limitJsonShape);
  // body-parser's own errors (bad JSON, too large, bad charset) become AppErrors with stable codes.
  app.use((err: unknown, _req: IncomingMessage, _res: ServerResponse, next: (e: unknown) => void) => next(bodyParserError(err)));
  app.use(cookieParser());
  app.use(securityHeaders(config));
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
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'ready', method: RequestMethod.GET },
      { path: '.well-known/jwks.json', method: RequestMethod.GET },
      { path: '.well-known/openid-configuration', method: RequestMethod.GET },
    ],
  });
  if (config.apiDocs) setupOpenApi(app);
}

/** helmet twice: a strict CSP everywhere, the relaxed one Swagger UI needs only under /api/docs (see cspFor). */
function securityHeaders(config: AppConfig): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const options = (directives: Record<string, string[]>) => helmet({ contentSecurityPolicy: { useDefaults: false, directives }, hsts: config.isProduction });
  const strict = options(STRICT_CSP);
  const docs = options(DOCS_CSP);
  return (req, res, next) => (cspFor(req.url ?? '/', config.apiDocs) === DOCS_CSP ? docs : strict)(req, res, next);
}

function setupOpenApi(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription('Auth and onboarding API. Errors are always `{ "error": { "code", "message", "requestId" } }`.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: `${DOCS_PATH.slice(1)}/openapi.json` });
}
