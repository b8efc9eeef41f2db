import { RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options as HttpOptions } from 'pino-http';
import type { AppConfig } from '../config/config.types';
import { errorLogSerializer } from './errors/error-log';
import { clientAddress } from './http/client-address';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Honour a caller's X-Request-Id when it is short and plain (so it can't forge log lines), else make one. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Structured JSON logs; credentials are redacted before anything is written. */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const options: HttpOptions = {
    level: config.logLevel,
    // app.setup assigns the id before body parsing; reuse it so logs and error bodies agree.
    genReqId: (req, res) => (req as IncomingMessage & { id?: string }).id ?? requestId(req, res),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'req.query.token'],
      censor: '[redacted]',
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    serializers: {
      // The client address as TRUST_PROXY decides it (pino hands the serializer the original request as `raw`).
    req: (req: { id: string; method: string; url: string; raw?: IncomingMessage }) => ({
      id: req.id,
      method: req.method,
      url: req.url?.split('?')[0],
      ip: req.raw ? clientAddress(req.raw) : undefined,
    }),
    // A failed query is logged by SQLSTATE and constraint, never with its SQL or parameters (see error-log.ts).
    err: errorLogSerializer,
    },
  };
  return {
    // Named wildcard (path-to-regexp 8): the default '*' makes Nest 11 log a legacy-route warning at every start.
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: destination ? [options, destination] : options,
  };
}
