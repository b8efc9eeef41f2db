import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '../errors/error-codes';
import { BLOCKED_STATUSES, PENDING_STATUSES, type UserStatus } from '../user-status';
import { ACCESS_EXTENSION, ALLOW_STATUS_EXTENSION, ERROR_CODES_EXTENSION, ROLES_EXTENSION } from './api-contract.decorators';

/** What decides the errors every route shares, read from the operation the decorators marked. */
export interface OperationTraits {
  access: 'public' | 'optional' | 'protected';
  /** @Roles(): a caller of another role is refused FORBIDDEN. */
  roles: boolean;
  /** @AllowStatus(): the statuses besides `active` that pass the status gate. */
  allowStatus: readonly UserStatus[];
  /** A JSON body validated by the global pipe. */
  body: boolean;
  /** Path or query parameters validated by the global pipe. */
  parameters: boolean;
}

const TOKEN_REFUSALS: ErrorCode[] = ['AUTH_TOKEN_INVALID', 'AUTH_TOKEN_EXPIRED', 'AUTH_TOKEN_REVOKED'];
const BODY_REFUSALS: ErrorCode[] = ['VALIDATION_FAILED', 'MALFORMED_JSON', 'BODY_TOO_COMPLEX', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_CONTENT_ENCODING'];
const BLOCK_CODES: Partial<Record<UserStatus, ErrorCode>> = { suspended: 'USER_SUSPENDED', disabled: 'USER_DISABLED', rejected: 'USER_REJECTED' };

/**
 * The codes a route answers because of what it is, before its own logic runs: the global guard (token, status gate,
 * role, the cookie's Origin rule on writes), the validation pipe and body parser, and the filter's INTERNAL_ERROR.
 * Pure: the rules the guard applies (auth/guards/access-rules.ts), as a specification.
 */
export function impliedErrorCodes(t: OperationTraits, method: string): ErrorCode[] {
  const codes: ErrorCode[] = ['INTERNAL_ERROR'];
  if (t.body) codes.push(...BODY_REFUSALS);
  else if (t.parameters) codes.push('VALIDATION_FAILED');
  if (t.access === 'public') return codes;
  // A presented token must be valid on an optional-auth route too; only a missing one passes there.
  codes.push(...TOKEN_REFUSALS);
  if (t.access === 'protected') codes.push('AUTH_TOKEN_MISSING');
  for (const s of BLOCKED_STATUSES) if (!t.allowStatus.includes(s)) codes.push(BLOCK_CODES[s]!);
  if (t.access === 'protected' && !PENDING_STATUSES.every((s) => t.allowStatus.includes(s))) codes.push('ONBOARDING_INCOMPLETE');
  if (t.roles) codes.push('FORBIDDEN');
  // The hosted-login session cookie is a credential too: writes carrying it need an allowed Origin.
  if (!['get', 'head'].includes(method)) codes.push('ORIGIN_NOT_ALLOWED');
  return codes;
}

type Json = Record<string, unknown>;
interface Operation extends Json {
  responses?: Record<string, Json>;
  requestBody?: unknown;
  parameters?: unknown[];
  security?: unknown;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const ERROR_SCHEMA_REF = '#/components/schemas/ErrorResponse';

/** The shared error schema, narrowed to the codes of one status. */
function errorResponse(codes: ErrorCode[], earlier?: Json): Json {
  const list = codes.map((c) => `\`${c}\``).join(', ');
  const status = ERROR_STATUS[codes[0]!];
  return {
    ...earlier,
    description: typeof earlier?.description === 'string' && earlier.description ? `${earlier.description} (${list})` : list,
    ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds to wait, when known', schema: { type: 'integer' } } } } : {}),
    content: {
      'application/json': {
        schema: { allOf: [{ $ref: ERROR_SCHEMA_REF }, { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: codes } } } } }] },
      },
    },
  };
}

function traitsOf(op: Operation): OperationTraits {
  const access = op[ACCESS_EXTENSION];
  return {
    access: access === 'public' || access === 'optional' ? access : 'protected',
    roles: Array.isArray(op[ROLES_EXTENSION]) && op[ROLES_EXTENSION].length > 0,
    allowStatus: Array.isArray(op[ALLOW_STATUS_EXTENSION]) ? (op[ALLOW_STATUS_EXTENSION] as UserStatus[]) : [],
    body: op.requestBody !== undefined,
    parameters: (op.parameters ?? []).some((p) => ['path', 'query'].includes(String((p as Json).in))),
  };
}

/**
 * Completes the document the decorators produced: every operation that declared its codes (`@ApiErrors`) gets one
 * response per status with exactly the codes it can answer (declared + implied), `x-error-codes` lists them all, and
 * its `security` says what the guard does (none on public routes, optional bearer on optional-auth routes). An
 * operation without `@ApiErrors` is left without `x-error-codes`, which the contract test reports.
 */
export function completeErrorContract(doc: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(doc.paths) as Array<Record<string, Operation>>) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const traits = traitsOf(op);
      op.security = traits.access === 'public' ? [] : traits.access === 'optional' ? [{}, { bearer: [] }] : [{ bearer: [] }];
      const declared = op[ERROR_CODES_EXTENSION] as ErrorCode[] | undefined;
      for (const key of [ACCESS_EXTENSION, ROLES_EXTENSION, ALLOW_STATUS_EXTENSION]) delete op[key];
      if (!declared) continue;
      const all = new Set<ErrorCode>([...declared, ...impliedErrorCodes(traits, method)]);
      const codes = ERROR_CODES.filter((c) => all.has(c));
      op[ERROR_CODES_EXTENSION] = codes;
      const responses = (op.responses ??= {});
      for (const status of [...new Set(codes.map((c) => ERROR_STATUS[c]))]) {
        responses[String(status)] = errorResponse(
          codes.filter((c) => ERROR_STATUS[c] === status),
          responses[String(status)],
        );
      }
    }
  }
  return doc;
}
