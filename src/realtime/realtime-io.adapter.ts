import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/config.types';

/**
 * The socket.io server's options, from config: they must be given when the server is created (engine.io builds its
 * WebSocket server, and its maximum payload, then). A message over WS_MAX_MESSAGE_BYTES closes its connection;
 * pings every WS_PING_INTERVAL_MS, and a client silent for WS_PING_TIMEOUT_MS more is reaped; a client that opens a
 * transport and never sends its CONNECT is dropped after 10 s. CORS (for the polling transport) follows CORS_ORIGINS.
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
    const allowed = new Set(this.config.corsOrigins);
    return super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: maxMessageBytes,
      pingInterval: pingIntervalMs,
      pingTimeout: pingTimeoutMs,
      connectTimeout: 10_000,
      cors: { origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)), credentials: true },
    } as ServerOptions);
  }
}
