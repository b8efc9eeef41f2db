/**
 * Is this failure "the database is not there" (503 DATABASE_UNAVAILABLE, worth retrying) rather than a fault of ours
 * (500)? Decided by what pg and TypeORM put on their errors, never by the text of anyone else's:
 * - a Postgres error (it has `severity`) whose SQLSTATE says the server is gone, going or full;
 * - pg's own fixed texts for a dropped connection or a pool connect timeout (these carry no code), seen on the error,
 *   a TypeORM `driverError` or a `cause`;
 * - a socket failure (refused, reset, unknown host, …) thrown as it is: pg's connect passes the socket's error up
 *   unwrapped. Only at the top or inside TypeORM's wrapper: an HTTP client's refusal arrives as the `cause` of its own
 *   error ("fetch failed"), and mail, Redis and the providers map theirs to their own codes before they get here.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** 08xxx connection exception; admin/crash shutdown, cannot connect now; too many connections. */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
const PG_TEXTS = ['Connection terminated unexpectedly', 'Connection terminated due to connection timeout', 'timeout exceeded when trying to connect'];
const MAX_DEPTH = 5;

type Fields = Record<string, unknown>;

function pgSays(e: Fields): boolean {
  if (typeof e.severity === 'string' && typeof e.code === 'string') return SQLSTATE.test(e.code);
  return typeof e.message === 'string' && PG_TEXTS.includes(e.message);
}

const socketFailure = (e: Fields): boolean => typeof e.code === 'string' && SOCKET_CODES.has(e.code) && typeof e.severity !== 'string';

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const top = err as unknown as Fields;
  if (socketFailure(top)) return true;
  const driver = top.driverError;
  if (driver instanceof Error && (socketFailure(driver as unknown as Fields) || pgSays(driver as unknown as Fields))) return true;
  let current: unknown = err;
  for (let i = 0; i <= MAX_DEPTH && current instanceof Error; i++, current = current.cause) {
    if (pgSays(current as unknown as Fields)) return true;
  }
  return false;
}
