import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, Logger as PinoRoot } from 'pino';
import type { AppConfig } from '../config/config.types';
import { errorLogSerializer } from './errors/error-log';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Honour a caller's X-Request-Id when it is short and plain (so it can't forge log lines), else make one. */
export function requestIdFor(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Credentials are redacted before anything is written, whatever shape a log call hands over: a request's headers
 * (Fastify's request keeps them at `headers`, a raw one too), a response's Set-Cookie, a query's `token`.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'req.query.token',
  'query.token',
  'password',
  '*.password',
];

/** The one pino logger: Nest's logger (nestjs-pino) and the per-request line (request-log.ts) both write through it. */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): PinoRoot {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // A failed query is logged by SQLSTATE and constraint, never with its SQL or parameters (see error-log.ts).
      err: errorLogSerializer,
    },
  };
  if (destination) return pino(options, destination);
  const pretty = prettyStream(config, process.stdout.isTTY === true);
  return pretty ? pino(options, pretty) : pino(options);
}

/**
 * Readable lines for a developer at a terminal; JSON everywhere else (pipes, containers, log shippers). pino-pretty is
 * a development dependency, loaded only here: a production install (npm ci --omit=dev) never needs it.
 */
export function prettyStream(config: Pick<AppConfig, 'nodeEnv'>, isTTY: boolean): DestinationStream | undefined {
  if (!isTTY || config.nodeEnv !== 'development') return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

/**
 * Nest's start-up chatter (a line per module initialised and per route mapped: dozens of lines) goes to debug; at
 * info the start reads as the few lines that matter. Everything else passes through unchanged.
 */
const FRAMEWORK_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication', 'WebSocketsController']);

export class QuietFrameworkLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) this.inner.debug?.(message, ...rest);
    else this.inner.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...rest);
  }
}

/**
 * nestjs-pino only as Nest's LoggerService over the root logger: no HTTP middleware. The per-request line is a Fastify
 * onResponse hook (request-log.ts), so a request pays for no middleware, no AsyncLocalStorage scope and no child
 * logger; lines logged during a request carry its id where they name it (`requestId`).
 */
export function loggerParams(root: PinoRoot): Params {
  return { pinoHttp: { logger: root }, forRoutes: [] };
}

/** Injection token of the root pino logger (AppModule provides it; app.setup hands it to the request-log hook). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
