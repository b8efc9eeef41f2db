/**
 * What of an error reaches the log. A failed query used to be logged whole: its SQL, every bound parameter (addresses,
 * names) and the database's own detail (`Key (email)=(ada@example.com) already exists`). A database error is logged
 * by what identifies the fault (SQLSTATE, constraint, table, column) and never by the values involved; the same
 * holds when it is the `cause` of another error.
 */

/** Kept from a database error: names from the schema, never values. */
const KEPT_FIELDS = ['code', 'severity', 'constraint', 'table', 'schema', 'column', 'dataType', 'routine'] as const;
/** Dropped from every error in a chain that holds a database error: they may carry the database's text. */
const DROPPED_FIELDS = new Set(['detail', 'query', 'parameters', 'driverError', 'where', 'hint', 'internalQuery', 'position', 'internalPosition', 'file', 'line', 'length']);
const MAX_CAUSES = 5;

type ErrorRecord = Error & Record<string, unknown>;

/** TypeORM's QueryFailedError (which wraps pg's error) or pg's DatabaseError itself. */
export function isDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as ErrorRecord;
  return e.constructor.name === 'QueryFailedError' || 'driverError' in e || (typeof e.code === 'string' && typeof e.severity === 'string');
}

function chainHasDatabaseError(err: Error): boolean {
  let current: unknown = err;
  for (let i = 0; i <= MAX_CAUSES && current instanceof Error; i++, current = current.cause) if (isDatabaseError(current)) return true;
  return false;
}

/** A field of the error or, for TypeORM's wrapper, of the driver error inside it. */
function field(err: ErrorRecord, name: string): unknown {
  return err[name] ?? (err.driverError as Record<string, unknown> | undefined)?.[name];
}

/** Postgres quotes both names and values (`… type uuid: "abc"`): names from the schema stay, everything else goes. */
export function redactDatabaseMessage(err: ErrorRecord): string {
  const names = new Set(KEPT_FIELDS.map((f) => field(err, f)).filter((v): v is string => typeof v === 'string'));
  const firstLine = (err.message ?? '').split('\n', 1)[0]!;
  return firstLine.replace(/"((?:[^"]|"")*)"/g, (quoted, inner: string) => (names.has(inner) ? quoted : '"[redacted]"'));
}

/** Stack frames only: a stack's first line repeats the message. */
function frames(stack: string | undefined): string | undefined {
  return stack?.split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
}

/**
 * An error as the log gets it: type, message (a database's redacted), own plain fields and stack frames, then its cause.
 * Object-valued fields never go in: that is where SDK and HTTP-client errors keep their exchange (`headers`,
 * `$response`, `request`), and with it tokens and cookies. Inside a chain that holds a database error, the fields
 * that may quote the database's text go too (DROPPED_FIELDS).
 */
function redacted(err: Error, depth: number, dbChain: boolean): Record<string, unknown> {
  const e = err as ErrorRecord;
  const db = isDatabaseError(e);
  const out: Record<string, unknown> = { type: e.constructor.name, message: db ? redactDatabaseMessage(e) : e.message };
  if (db) {
    for (const f of KEPT_FIELDS) if (typeof field(e, f) === 'string') out[f] = field(e, f);
  } else {
    for (const [k, v] of Object.entries(e)) if (!(dbChain && DROPPED_FIELDS.has(k)) && k !== 'cause' && ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  out.stack = frames(e.stack);
  if (e.cause instanceof Error && depth < MAX_CAUSES) out.cause = redacted(e.cause, depth + 1, dbChain);
  return out;
}

/**
 * pino's `err` serializer (it replaces pino's own, so every error goes through here; pino-http would hand over the
 * standard serialization with the original error under `raw`). Anything that is not an Error is left as it is.
 */
export function errorLogSerializer(serialized: unknown): unknown {
  const raw = (serialized as { raw?: unknown } | null)?.raw ?? serialized;
  return raw instanceof Error ? redacted(raw, 0, chainHasDatabaseError(raw)) : serialized;
}
