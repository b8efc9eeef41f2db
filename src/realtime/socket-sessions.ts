import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Namespace } from 'socket.io';
import { Authenticator } from '../auth';
import { AuthenticationError, ForbiddenError } from '../common/errors/app-error';
import type { Principal } from '../common/principal';
import { USER_CHANGED, USER_CHANGES_RESET, type UserChanged } from '../users';
import type { HandshakeCredential } from './handshake-credential';
import { ExpiryWheel } from './expiry-wheel';
import { wsErrorBody } from './socket-errors';
import { SOCKET_RULES, userRoom, type RealtimeSocket } from './socket-state';

/**
 * Sessions end on time. Each socket is closed with `session.expired` when its token's `exp` passes (unless a
 * `token.refresh` for the same user moved it), and with `session.revoked` as soon as its user changes in a way the
 * token no longer survives: sign-out everywhere or a password reset (the watermark), a revoked session, a block, a
 * deletion. Each instance handles its own sockets from USER_CHANGED, which fires on every instance from the database's
 * change feed: a revocation committed anywhere reaches every socket within the feed's latency. The same change, when
 * the token still passes, is a status change to push as `onboarding.status`.
 */
@Injectable()
export class SocketSessions {
  private readonly logger = new Logger('RealtimeSessions');
  private ns?: Namespace;
  /** Users whose sockets are being re-checked; true when another change arrived meanwhile (check again after). */
  private readonly checking = new Map<string, boolean>();
  /** Every socket's `exp` on one timer (not a setTimeout per socket: 5,000 idle sockets must stay cheap). */
  private readonly expiries = new ExpiryWheel<RealtimeSocket>((socket) => this.expire(socket));

  constructor(private readonly authenticator: Authenticator) {}

  bind(ns: Namespace): void {
    this.ns = ns;
  }

  /** Sets the socket's expiry from its principal's `exp` (moving it on a refresh). */
  arm(socket: RealtimeSocket): void {
    const exp = socket.data.principal.expiresAt;
    if (exp === undefined) return this.expiries.delete(socket);
    if (exp * 1000 <= Date.now()) return this.expire(socket);
    this.expiries.set(socket, exp * 1000);
  }

  disarm(socket: RealtimeSocket): void {
    this.expiries.delete(socket);
  }

  private expire(socket: RealtimeSocket): void {
    this.end(socket, 'session.expired', new AuthenticationError('AUTH_TOKEN_EXPIRED'));
  }

  /**
   * `token.refresh`: a fresh token replaces the socket's if it passes the same admission as a handshake AND belongs
   * to the same user (a socket never changes hands: a token for anyone else is refused and the socket keeps its own).
   */
  async refresh(socket: RealtimeSocket, credential: HandshakeCredential): Promise<Principal> {
    const principal = (await this.authenticator.authenticate(credential, SOCKET_RULES, undefined, { id: socket.id }))!;
    if (principal.userId !== socket.data.principal.userId) {
      throw new ForbiddenError('FORBIDDEN', 'The new token is for another user', undefined, `socket of ${socket.data.principal.userId} offered a token of ${principal.userId}`);
    }
    socket.data.verified = await this.authenticator.verifiedToken(credential, { id: socket.id });
    this.update(socket, principal);
    this.arm(socket);
    return principal;
  }

  @OnEvent(USER_CHANGED)
  onUserChanged(e: UserChanged): void {
    if (!this.ns) return;
    if (e.status === null) {
      // Deleted: nothing to re-check (resolving the token again could provision a new row for it).
      for (const s of this.socketsOf(e.userId)) this.end(s, 'session.revoked', new AuthenticationError('AUTH_TOKEN_REVOKED', 'user deleted'));
      return;
    }
    this.schedule(e.userId);
  }

  /** The feed was down: any change may have been missed, so every socket here is re-checked. */
  @OnEvent(USER_CHANGES_RESET)
  onReset(): void {
    if (!this.ns) return;
    const users = new Set<string>();
    for (const s of this.ns.sockets.values()) users.add((s as RealtimeSocket).data.principal.userId);
    for (const u of users) this.schedule(u);
  }

  /**
   * Re-checks after the current emit returns: USER_CHANGED is emitted synchronously and the caches (users, revoked
   * sessions) drop the user in their own listeners, which must run first.
   */
  private schedule(userId: string): void {
    if (this.checking.has(userId)) {
      this.checking.set(userId, true);
      return;
    }
    if (this.socketsOf(userId).length === 0) return;
    this.checking.set(userId, false);
    setImmediate(() => {
      void this.recheck(userId).finally(() => {
        const again = this.checking.get(userId);
        this.checking.delete(userId);
        if (again) this.schedule(userId);
      });
    });
  }

  private async recheck(userId: string): Promise<void> {
    for (const socket of this.socketsOf(userId)) {
      try {
        this.update(socket, (await this.authenticator.readmit(socket.data.verified, SOCKET_RULES, { id: socket.id }))!);
      } catch (err) {
        this.end(socket, 'session.revoked', err);
      }
    }
  }

  /** A status that moved is pushed to the socket as `onboarding.status { status, previous }`. */
  private update(socket: RealtimeSocket, principal: Principal): void {
    const previous = socket.data.principal.status;
    socket.data.principal = principal;
    if (principal.status !== previous) socket.emit('onboarding.status', { status: principal.status, previous });
  }

  private end(socket: RealtimeSocket, event: 'session.expired' | 'session.revoked', reason: unknown): void {
    this.expiries.delete(socket);
    if (!socket.connected) return;
    socket.emit(event, wsErrorBody(reason));
    this.logger.log({ userId: socket.data.principal.userId, socket: socket.id, event }, 'socket session ended');
    socket.disconnect(true);
  }

  private socketsOf(userId: string): RealtimeSocket[] {
    const ns = this.ns!;
    const ids = ns.adapter.rooms.get(userRoom(userId));
    if (!ids) return [];
    const out: RealtimeSocket[] = [];
    for (const id of ids) {
      const s = ns.sockets.get(id);
      if (s) out.push(s as RealtimeSocket);
    }
    return out;
  }
}
