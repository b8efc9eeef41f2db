import { BadRequestError } from '../../common/errors/app-error';
import type { AuditRow } from '../../users';

/** One audit row as the API shows it: who (id, role, address, agent), what, to whom, the step, why, how it ended. */
export interface AuditEntry {
  id: string;
  seq: string | null;
  at: string;
  actor: { id: string; role: string | null; ip: string | null; userAgent: string | null };
  action: string;
  target: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  result: string;
  resultCode: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
  hash: string | null;
}

export function auditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    seq: r.seq,
    at: new Date(r.at).toISOString(),
    actor: { id: r.actor, role: r.actor_role, ip: r.ip, userAgent: r.user_agent },
    action: r.type,
    target: r.user_id,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    reason: r.reason,
    result: r.result,
    resultCode: r.result_code,
    requestId: r.request_id,
    detail: r.detail,
    hash: r.hash,
  };
}

/** The export's CSV columns, in order, and each one's value. */
export const CSV_COLUMNS: ReadonlyArray<[string, (e: AuditEntry) => unknown]> = [
  ['id', (e) => e.id],
  ['seq', (e) => e.seq],
  ['at', (e) => e.at],
  ['actor', (e) => e.actor.id],
  ['actor_role', (e) => e.actor.role],
  ['ip', (e) => e.actor.ip],
  ['user_agent', (e) => e.actor.userAgent],
  ['action', (e) => e.action],
  ['target', (e) => e.target],
  ['from_status', (e) => e.fromStatus],
  ['to_status', (e) => e.toStatus],
  ['reason', (e) => e.reason],
  ['result', (e) => e.result],
  ['result_code', (e) => e.resultCode],
  ['request_id', (e) => e.requestId],
  ['detail', (e) => e.detail],
  ['hash', (e) => e.hash],
];

/** Cursors name the last row's id (opaque base64url, not secret); anything else is a 400, never a wrong page. */
export function encodeAuditCursor(id: string): string {
  return Buffer.from(JSON.stringify({ a: id })).toString('base64url');
}

export function decodeAuditCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown } | null;
    if (parsed && typeof parsed.a === 'string' && /^\d{1,19}$/.test(parsed.a)) return parsed.a;
  } catch {
    // fall through to the 400
  }
  throw new BadRequestError('INVALID_INPUT', 'cursor is not a cursor of the audit trail');
}
