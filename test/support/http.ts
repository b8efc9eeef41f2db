/** A small JSON client for e2e tests: every call answers status, headers and the parsed body (never throws on 4xx). */
export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class JsonClient {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<JsonAnswer<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      redirect: 'manual',
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, token?: string): Promise<JsonAnswer<T>> {
    return this.call<T>('POST', path, { body: body ?? {}, token });
  }

  get<T = Record<string, unknown>>(path: string, token?: string): Promise<JsonAnswer<T>> {
    return this.call<T>('GET', path, { token });
  }
}

/** The error body without its per-request id, for comparing two answers that must be identical. */
export function errorShape(body: unknown): unknown {
  const b = body as { error?: Record<string, unknown> };
  if (!b?.error) return body;
  const { requestId: _ignored, ...rest } = b.error;
  return { error: rest };
}
