import { BadRequestError } from '../../common/errors/app-error';
import type { KeysetPosition, SortDir, SortKey } from '../../users';

/** The sort orders the list offers, as `key:dir`; anything else is a 400 (the DTO checks against this list). */
export const SORTS = ['createdAt:desc', 'createdAt:asc', 'email:asc', 'email:desc'] as const;
export type Sort = (typeof SORTS)[number];
export const DEFAULT_SORT: Sort = 'createdAt:desc';
export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;

export function parseSort(sort: Sort): { key: SortKey; dir: SortDir } {
  const [key, dir] = sort.split(':') as [SortKey, SortDir];
  return { key, dir };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A keyset cursor: the last row's sort key and id, and the order it belongs to. Opaque to clients (base64url JSON),
 * not secret: it only says where a page ended. A cursor from another order, or anything malformed, is a 400 rather
 * than a silently wrong page.
 */
export function encodeCursor(order: string, at: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ o: order, k: at.key, i: at.id })).toString('base64url');
}

export function decodeCursor(order: string, cursor: string): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const c = parsed as { o?: unknown; k?: unknown; i?: unknown } | null;
  if (!c || typeof c !== 'object' || c.o !== order || typeof c.k !== 'string' || c.k.length > 300 || typeof c.i !== 'string' || !UUID.test(c.i)) {
    throw invalidCursor();
  }
  return { key: c.k, id: c.i };
}

function invalidCursor(): BadRequestError {
  return new BadRequestError('INVALID_INPUT', 'cursor is not a cursor of this list and order');
}
