import { errorCodes, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { parse as parseForm } from 'node:querystring';
import { AppError } from '../errors/app-error';
import { acceptsForm, contentEncodingProblem, isFormMediaType, isJsonMediaType, isSignedRoute, isStreamedRoute, jsonShapeProblem, mediaTypeProblem } from './body-rules';

/** The exact bytes of the body (Stripe and other webhook senders sign them), next to the parsed value. */
export type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

const MESSAGES = {
  UNSUPPORTED_MEDIA_TYPE: 'Request bodies must be JSON (Content-Type: application/json)',
  UNSUPPORTED_CONTENT_ENCODING: 'Compressed request bodies are not accepted',
} as const;

const malformed = (detail: string): AppError => new AppError('MALFORMED_JSON', 400, 'Request body is not valid JSON', detail);

/** onRequest: a non-JSON or compressed body is refused before a byte of it is read (the pure rules of body-rules.ts). */
export function refuseUnacceptedBody(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  if (isStreamedRoute(req.url)) return done();
  const problem = mediaTypeProblem(req.headers, req.url) ?? contentEncodingProblem(req.headers);
  done(problem ? new AppError(problem, 415, MESSAGES[problem]) : undefined);
}

type JsonParser = (req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) => void;

/**
 * Replaces Fastify's parsers with one that reads every body as bytes (up to bodyLimit: 413 past it), keeps them as
 * `req.rawBody`, and parses JSON with Fastify's own parser (secure-json-parse: `__proto__` and `constructor.prototype`
 * keys are refused) or, on FORM_ROUTES only, a urlencoded form; SIGNED_ROUTES keep the bytes alone. The shape limits run
 * before validation sees the value.
 */
/** Set on the Fastify instance by installBodyParser: routes that verify signatures check it at start-up. */
export const RAW_BODY_KEPT = 'gatehouseRawBodyKept';

/** Whether this server keeps request bodies as bytes (installBodyParser ran on it). */
export function keepsRawBodies(fastify: FastifyInstance): boolean {
  return fastify.hasDecorator(RAW_BODY_KEPT);
}

export function installBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.decorate(RAW_BODY_KEPT, true);
  // Declared, so a request with a body keeps the shape of every other request (see installRequestContext).
  fastify.decorateRequest('rawBody', undefined);
  const json = fastify.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  fastify.removeAllContentTypeParsers();
  // The stream form of a parser (no parseAs), so the gateway's bodies can be handed on unread; every other body is
  // read into bytes here exactly as Fastify's parseAs 'buffer' would (readBytes).
  fastify.addContentTypeParser('*', (req: RawBodyRequest, payload: Readable, done: (err: Error | null, value?: unknown) => void) => {
    if (isStreamedRoute(req.url)) return done(null, payload);
    readBytes(req, payload, bodyLimit, (err, body) => (err ? done(err) : parseBytes(req, body!, json, done)));
  });
}

function parseBytes(req: RawBodyRequest, body: Buffer, json: JsonParser, done: (err: Error | null, value?: unknown) => void): void {
  req.rawBody = body;
  if (body.length === 0) return done(null, undefined);
  // A signed body stays bytes until its route has checked the signature (see SIGNED_ROUTES).
  if (isSignedRoute(req.url)) return done(null, undefined);
  const type = req.headers['content-type'];
  if (isJsonMediaType(type)) {
    return json(req, body, (err, value) => (err ? done(malformed(err.message.slice(0, 200))) : done(shapeProblem(value), value)));
  }
  if (acceptsForm(req.url) && isFormMediaType(type)) {
    const value = { ...parseForm(body.toString('utf8')) };
    return done(shapeProblem(value), value);
  }
  // refuseUnacceptedBody already answered; kept so a parser reached some other way still fails closed.
  done(new AppError('UNSUPPORTED_MEDIA_TYPE', 415, MESSAGES.UNSUPPORTED_MEDIA_TYPE));
}

/**
 * The body as bytes, up to `limit` (Fastify's own rawBody, which only the parseAs form reaches): a declared or received
 * length over the limit is 413, a received length other than the declared one 400, both with Fastify's error codes.
 */
function readBytes(req: FastifyRequest, payload: Readable, limit: number, done: (err: Error | null, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = (): void => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  function onData(chunk: Buffer): void {
    received += chunk.length;
    if (received > limit) {
      stop();
      return done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    }
    chunks.push(chunk);
  }
  function onEnd(err?: Error & { statusCode?: number }): void {
    stop();
    if (err) {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      return done(err);
    }
    if (!Number.isNaN(declared) && received !== declared) return done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
    done(null, Buffer.concat(chunks, received));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}

/** Depth and width limits keep hostile shapes away from class-transformer and class-validator. */
function shapeProblem(value: unknown): AppError | null {
  const problem = jsonShapeProblem(value);
  return problem ? new AppError('BODY_TOO_COMPLEX', 400, 'Request body is nested too deeply or has too many fields', `json ${problem} limit`) : null;
}
