/** JSON text of answers that many responses share, rendered once (see sharedAnswer). */
const rendered = new WeakMap<object, string>();

/**
 * Freezes an answer that is handed out again and again (the same object until what it is made of changes: the
 * cached /users/me profile) and renders its JSON once; serializeReply then sends that text instead of stringifying
 * the object on every request. Frozen, so the text can never go stale.
 */
export function sharedAnswer<T extends object>(value: T): Readonly<T> {
  Object.freeze(value);
  rendered.set(value, JSON.stringify(value));
  return value;
}

/** Fastify's reply serializer: a shared answer's text, else JSON.stringify as Fastify's default. */
export function serializeReply(payload: unknown): string {
  return (typeof payload === 'object' && payload !== null && rendered.get(payload)) || JSON.stringify(payload);
}
