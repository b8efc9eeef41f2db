import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { ErrorCode } from '../../common/errors/error-codes';

// The admin API's answers are built field by field by the view mappers (admin-user.view.ts); these schemas describe
// those shapes for the OpenAPI document. Keep them next to the mappers' fields when either changes.

const str = { type: 'string' } as const;
const nullableStr = { type: 'string', nullable: true } as const;

const summary: SchemaObject = {
  type: 'object',
  properties: {
    id: { ...str, format: 'uuid' },
    email: nullableStr,
    fullName: nullableStr,
    role: str,
    provider: str,
    status: str,
    waitingFor: nullableStr,
    blocks: { type: 'array', items: { type: 'object', properties: { kind: str, by: str, reason: nullableStr, until: nullableStr, at: str } } },
    mfa: { type: 'object', properties: { method: nullableStr, enrolled: { type: 'boolean' }, required: { type: 'boolean' } } },
    organizationId: nullableStr,
    createdAt: { ...str, format: 'date-time' },
    updatedAt: { ...str, format: 'date-time' },
  },
};

export const ADMIN_USER_SCHEMA: SchemaObject = {
  allOf: [
    summary,
    {
      type: 'object',
      properties: {
        emailVerified: { type: 'boolean' },
        progress: { type: 'object', additionalProperties: true },
        sessionsValidAfter: nullableStr,
        passwordResetAt: nullableStr,
        providerView: { type: 'object', description: '`{ available: true, … }` or `{ available: false, code }`', additionalProperties: true },
      },
    },
  ],
};

export const USER_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { items: { type: 'array', items: summary }, total: { type: 'integer' }, nextCursor: nullableStr },
};

export const APPROVALS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    items: { type: 'array', items: { allOf: [summary, { type: 'object', properties: { waitingSince: str, waitingSeconds: { type: 'integer' } } }] } },
    nextCursor: nullableStr,
  },
};

/** An admin write's answer (with an ETag header). */
export const ACTION_SCHEMA: SchemaObject = { type: 'object', properties: { changed: { type: 'boolean' }, user: ADMIN_USER_SCHEMA } };

/** What every admin write can answer: the user, its If-Match, the ladder, the admin rules and the provider port. */
export const ADMIN_WRITE_ERRORS: ErrorCode[] = [
  'USER_NOT_FOUND',
  'INVALID_TRANSITION',
  'PRECONDITION_FAILED',
  'SELF_ACTION_FORBIDDEN',
  'LAST_ADMIN',
  'CONFLICT',
  'RATE_LIMITED',
  'NOT_SUPPORTED',
  'PROVIDER_ACCESS_DENIED',
  'PROVIDER_UNAVAILABLE',
];
