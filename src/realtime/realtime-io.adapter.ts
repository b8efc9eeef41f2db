import { Logger, type INestApplicationContext } from '@nestjs/common';
import cors from 'cors';
import { ServerResponse, type IncomingMessage } from 'node:http';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, type Observable } from 'rxjs';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config.types';

type Ack = (response: unknown) => void;
/** The socket as Nest's adapter types it (its own copy of socket.io's types). */
type Socket = Parameters<IoAdapter['bindMessageHandlers']>[0];

const logger = new Logger('RealtimeIoAdapter');

/**
 * The socket.io server's options, from config: they must be given when the server is created (engine.io builds its
 * WebSocket server, and its maximum payload, then). A message over WS_MAX_MESSAGE_BYTES closes its connection;
 * pings every WS_PING_INTERVAL_MS, and a client silent for WS_PING_TIMEOUT_MS more is reaped; a client that opens a
 * transport and never sends its CONNECT is dropped after 10 s. CORS (for the polling transport) follows CORS_ORIGINS.
 * No per-message compression: a zlib context per socket costs tens of KB, and the messages here are small.
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const { maxMessageBytes, pingIntervalMs, pingTimeoutMs } = this.config.realtime;
    const server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: maxMessageBytes,
      perMessageDeflate: false,
      pingInterval: pingIntervalMs,
      pingTimeout: pingTimeoutMs,
      connectTimeout: 10_000,
    } as ServerOptions);
    server.engine.use(pollingCors(new Set(this.config.corsOrigins)));
    return server;
  }

  /**
   * Nest's IoAdapter builds an RxJS pipeline per socket and handler (fromEvent, mergeMap, takeUntil a shared
   * disconnect observable): kilobytes a socket, held for its whole life, and CPU at every handshake. The same contract
   * with one plain listener per handler: the payload split into data and ack as Nest does (mapPayload), the handler's
   * value (plain, a promise, or an observable's values) sent as the ack, or as `{ event, data }` an emit; nothing sent
   * once the socket has disconnected. Guards, pipes and the exception filter run inside `callback` as before.
   */
  override bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[], _transform: (data: unknown) => Observable<unknown>): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        // rxjs fromEvent's value: the only argument, or all of them as an array.
        const { data, ack } = this.mapPayload(args.length > 1 ? args : args[0]) as { data: unknown; ack?: Ack };
        const reply = (response: unknown) => respond(socket, response, isAckHandledManually ? undefined : ack);
        settle(callback(data, ack), reply);
      });
    }
  }
}

type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * CORS for the polling transport's requests, which a page reads with fetch/XHR: an Origin from CORS_ORIGINS, with
 * credentials. engine.io's own `cors` option runs on every request, the WebSocket upgrade included, where browsers
 * apply no CORS (the cookie credential has its own Origin check, handshake-credential.ts) and the headers only add
 * work to each handshake: so the upgrade skips it.
 */
function pollingCors(allowed: ReadonlySet<string>): EngineMiddleware {
  const corsFor = cors({ origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)), credentials: true });
  // A polling request is answered on a real ServerResponse; engine.io hands middlewares a stand-in for the upgrade.
  return (req, res, next) => (res instanceof ServerResponse ? corsFor(req, res, next) : next());
}

/** A handler's result, however it comes (Nest's pickResult: awaited, then an observable's every value, or the value). */
function settle(result: unknown, reply: (response: unknown) => void): void {
  if (isObservable(result)) {
    result.subscribe({ next: reply, error: fault });
  } else if (result instanceof Promise) {
    result.then((value: unknown) => settle(value, reply), fault);
  } else {
    reply(result);
  }
}

function respond(socket: Socket, response: unknown, ack: Ack | undefined): void {
  if (response === undefined || response === null || !socket.connected) return;
  const { event, data } = response as { event?: string; data?: unknown };
  if (event) socket.emit(event, data);
  else if (typeof ack === 'function') ack(response);
}

/** Nest's wrapper sends a handler's errors through the exception filter; anything reaching here is a fault. */
function fault(err: unknown): void {
  logger.error({ err: err instanceof Error ? err.message : String(err) }, 'realtime handler fault');
}
