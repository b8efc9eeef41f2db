import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors/app-error';
import { contentEncodingProblem, jsonShapeProblem, mediaTypeProblem } from './body-rules';

type Next = (err?: unknown) => void;

const MESSAGES = {
  UNSUPPORTED_MEDIA_TYPE: 'Request bodies must be JSON (Content-Type: application/json)',
  UNSUPPORTED_CONTENT_ENCODING: 'Compressed request bodies are not accepted',
} as const;

/** Before any parser: a non-JSON or compressed body is refused without reading it. */
export function requireJsonBody(req: IncomingMessage, _res: ServerResponse, next: Next): void {
  const problem = mediaTypeProblem(req.headers, req.url) ?? contentEncodingProblem(req.headers);
  next(problem ? new AppError(problem, 415, MESSAGES[problem]) : undefined);
}

/** After the JSON parser, before validation: depth and width limits keep hostile shapes away from class-transformer. */
export function limitJsonShape(req: IncomingMessage & { body?: unknown }, _res: ServerResponse, next: Next): void {
  const problem = jsonShapeProblem(req.body);
  next(problem ? new AppError('BODY_TOO_COMPLEX', 400, 'Request body is nested too deeply or has too many fields', `json ${problem} limit`) : undefined);
}
