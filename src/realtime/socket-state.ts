import type { DefaultEventsMap, Socket } from 'socket.io';
import type { Principal } from '../common/principal';
import { PENDING_STATUSES, type UserStatus } from '../common/user-status';
import type { RouteRules } from '../auth';
import type { VerifiedToken } from '../auth';
import type { WsErrorBody } from './socket-errors';
import type { MessageBucket } from './socket-limits';

/**
 * What a socket holds after its handshake (socket.data): kept small, 5,000 idle sockets must stay cheap. The verified
 * token, not the raw one: re-checks need its claims, never its signature again, and a credential that is not held
 * cannot leak from a heap dump for the socket's whole life.
 */
export interface SocketState {
  principal: Principal;
  verified: VerifiedToken;
  bucket: MessageBucket;
}

/** What the server sends (the client-facing contract, also in the README). */
export interface ServerEvents {
  'onboarding.status': (p: { status: UserStatus; previous: UserStatus }) => void;
  'session.expired': (b: WsErrorBody) => void;
  'session.revoked': (b: WsErrorBody) => void;
  'admin.user.changed': (p: { userId: string; status: UserStatus; previous: UserStatus; event: string; actor: string }) => void;
  exception: (b: WsErrorBody) => void;
}

export type RealtimeSocket = Socket<DefaultEventsMap, ServerEvents, DefaultEventsMap, SocketState>;

/**
 * Who may hold a socket: every user not blocked, so a client waiting on onboarding (e.g. on payment) hears its
 * `onboarding.status` the moment it changes. Blocked users (suspended, disabled, rejected) are refused with their
 * code. Message handlers need `active` unless they say otherwise with @AllowStatus, as REST routes do.
 */
export const SOCKET_RULES: RouteRules = Object.freeze({ allowStatus: PENDING_STATUSES });

export const userRoom = (userId: string): string => `user:${userId}`;
export const ADMIN_ROOM = 'admins';
