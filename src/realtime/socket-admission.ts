import { Inject, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { Authenticator, sessionCookieNames } from '../auth';
import { AppError, AuthenticationError, RateLimitedError } from '../common/errors/app-error';
import type { Principal } from '../common/principal';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { VerifiedToken } from '../auth';
import { forgetHandshakeCredential, handshakeCredential, type HandshakeCredential } from './handshake-credential';
import { connectError, wsErrorBody } from './socket-errors';
import { ConnectionCounter, MessageBucket } from './socket-limits';
import { SOCKET_RULES, type RealtimeSocket } from './socket-state';

/** TOO_MANY_CONNECTIONS: the handshake that would go over WS_MAX_CONNECTIONS_PER_USER. */
class TooManyConnectionsError extends AppError {
  constructor(max: number) {
    super('TOO_MANY_CONNECTIONS', 429, `At most ${max} connections per user`);
  }
}

/**
 * The handshake, as a namespace middleware: it runs before socket.io accepts the connection, so a refused client gets
 * `connect_error` (with the REST code in `data`) and never sees `connect`. The same Authenticator as every HTTP
 * route (verifier, principal resolver, revocation watermark, revoked sessions, status rule), its synchronous cached
 * path first. Then the per-user connection cap.
 */
@Injectable()
export class SocketAdmission {
  private readonly sessionCookie: string;
  private readonly allowedOrigins: ReadonlySet<string>;
  readonly connections: ConnectionCounter;

  constructor(
    private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sessionCookie = sessionCookieNames(config.isProduction).session;
    this.allowedOrigins = new Set(config.corsOrigins);
    this.connections = new ConnectionCounter(config.realtime.maxConnectionsPerUser);
  }

  /** The namespace middleware. */
  readonly middleware = (socket: Socket, next: (err?: Error) => void): void => {
    let credential: HandshakeCredential | undefined;
    try {
      credential = handshakeCredential(socket.handshake, this.sessionCookie, this.allowedOrigins);
      // Sockets have no anonymous use, and ALLOW_DEV_AUTH_BYPASS does not reach them: a socket is re-checked for as
      // long as it lives, against the token it came with, and the development admin has none.
      if (credential === undefined) throw new AuthenticationError('AUTH_TOKEN_MISSING');
      const site = { id: socket.id };
      // The verified token the socket will hold: from the verified-token cache (one digest, synchronous), else by full
      // verification. Then the same admission as every entrance, from memory when the user is cached.
      const verified = this.authenticator.verifiedToken(credential, site);
      if (verified instanceof Promise) {
        verified.then((v) => this.readmit(socket as RealtimeSocket, v, next), (err: unknown) => next(connectError(err)));
        return;
      }
      const cached = this.authenticator.cachedVerified(verified, SOCKET_RULES, site);
      if (cached) return this.hold(socket as RealtimeSocket, verified, cached, next);
      this.readmit(socket as RealtimeSocket, verified, next);
    } catch (err) {
      next(connectError(this.authenticator.refusal(err, { id: socket.id })));
    }
  };

  private readmit(socket: RealtimeSocket, verified: VerifiedToken, next: (err?: Error) => void): void {
    this.authenticator.readmit(verified, SOCKET_RULES, { id: socket.id }).then(
      (p) => this.hold(socket, verified, p!, next),
      (err: unknown) => next(connectError(err)),
    );
  }

  private hold(socket: RealtimeSocket, verified: VerifiedToken, principal: Principal, next: (err?: Error) => void): void {
    if (!this.connections.reserve(principal.userId, socket.id)) return next(connectError(new TooManyConnectionsError(this.config.realtime.maxConnectionsPerUser)));
    // Released when the socket goes, however it goes (a socket refused after this point never emits `disconnect`,
    // but its connection always closes).
    const release = () => this.connections.release(principal.userId, socket.id);
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    // engine.io keeps the upgrade request (an IncomingMessage and its stream state) for the connection's whole life;
    // the handshake has copied what it needs (headers, query) and nothing reads it again: dropping it is socket.io's
    // documented way to save memory per socket. Another namespace opened later on this connection sees no headers,
    // so a cookie or header credential there fails closed (auth.token still works).
    (socket.conn as unknown as { request: unknown }).request = null;
    forgetHandshakeCredential(socket.handshake);
    const { eventsPerSecond, eventBurst } = this.config.realtime;
    socket.data = { principal, verified, bucket: new MessageBucket(eventsPerSecond, eventBurst, Date.now()) };
    next();
  }

  /** Per-socket message rate: a message over the limit is dropped, its ack (if any) answered RATE_LIMITED. */
  readonly rateLimit =
    (socket: RealtimeSocket) =>
    (packet: unknown[], next: (err?: Error) => void): void => {
      if (socket.data.bucket.take(Date.now())) return next();
      const body = wsErrorBody(new RateLimitedError());
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') (ack as (b: unknown) => void)(body);
      else socket.emit('exception', body);
    };
}
