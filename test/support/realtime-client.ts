import { io, Socket } from 'socket.io-client';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';

/** How a handshake ended: `connect`, or `connect_error` with its data ({ code, message }). */
export interface Handshake {
  socket: Socket;
  connected: boolean;
  /** True if `connect` was EVER seen (a refused client must never see it, not even briefly). */
  sawConnect: () => boolean;
  error?: { message: string; data?: { code?: string; message?: string } };
}

/** Opens a socket to `/realtime` (no reconnection, websocket only unless told) and waits for connect or connect_error. */
export function connectRealtime(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}, path = '/realtime'): Promise<Handshake> {
  const socket = io(`${url}${path}`, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5_000, ...opts });
  let saw = false;
  socket.on('connect', () => (saw = true));
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, connected: true, sawConnect: () => saw }));
    socket.once('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      socket.close();
      resolve({ socket, connected: false, sawConnect: () => saw, error: { message: err.message, data: err.data } });
    });
  });
}

/** Resolves with the first `event` on `socket` (its first argument), or rejects after `ms`. */
export function nextEvent<T = unknown>(socket: Socket, event: string, ms = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, on);
  });
}

/** Resolves with the disconnect reason, or rejects after `ms`. */
export function disconnected(socket: Socket, ms = 3_000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already');
  return nextEvent<string>(socket, 'disconnect', ms);
}
