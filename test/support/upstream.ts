import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request an upstream received: what it saw, as it saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Bytes of body received so far (grows while a body streams in). */
  bytes: number;
  body: Buffer[];
  /** The body has ended. */
  complete: boolean;
  /** The connection closed before this request was answered (Gatehouse cancelled it). */
  abandoned: boolean;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

/**
 * A real HTTP server on loopback playing an internal service behind the gateway. It records every request (headers,
 * body bytes as they arrive, whether the caller went away before the answer) and answers with the handler registered
 * for the path (without query), else a small JSON echo.
 */
export class Upstream {
  readonly seen: SeenRequest[] = [];
  private readonly handlers = new Map<string, UpstreamHandler>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  base = '';

  on(path: string, handler: UpstreamHandler): this {
    this.handlers.set(path, handler);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes: 0, body: [], complete: false, abandoned: false };
      this.seen.push(seen);
      req.on('data', (chunk: Buffer) => {
        seen.bytes += chunk.length;
        // Large uploads are counted, not kept.
        if (seen.bytes <= 1024 * 1024) seen.body.push(chunk);
      });
      req.on('end', () => (seen.complete = true));
      res.on('close', () => {
        if (!res.writableFinished) seen.abandoned = true;
      });
      const handler = this.handlers.get((req.url ?? '').split('?', 1)[0]!);
      if (handler) return handler(req, res, seen);
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, method: req.method, url: req.url }));
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests whose path (without query) is `path`. */
  to(path: string): SeenRequest[] {
    return this.seen.filter((s) => s.url.split('?', 1)[0] === path);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A loopback port with nothing listening on it (an upstream that is down). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
