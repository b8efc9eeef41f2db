import { UseFilters, UseGuards } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { AuthenticationError } from '../common/errors/app-error';
import { AllowStatus, Roles } from '../common/decorators/auth.decorators';
import { Public } from '../common/decorators/public.decorator';
import { PENDING_STATUSES } from '../common/user-status';
import { USER_STATUS_CHANGED, type UserStatusChanged } from '../users';
import { handshakeCredential } from './handshake-credential';
import { RealtimeScaleOut } from './scale-out';
import { SocketAdmission } from './socket-admission';
import { SocketAuthGuard } from './socket-auth.guard';
import { SocketErrorFilter } from './socket-errors';
import { SocketSessions } from './socket-sessions';
import { ADMIN_ROOM, userRoom, type RealtimeSocket } from './socket-state';

/**
 * The realtime gateway, namespace `/realtime` on the HTTP server's `/socket.io`. Admission happens in the namespace
 * middleware (SocketAdmission), before `connect`; here a socket only joins its rooms and gets its expiry timer.
 * Events to clients: `onboarding.status`, `session.expired`, `session.revoked`, `admin.user.changed` (admins room).
 */
@WebSocketGateway({ namespace: '/realtime' })
@UseGuards(SocketAuthGuard)
@UseFilters(SocketErrorFilter)
export class RealtimeGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<RealtimeSocket>, OnGatewayDisconnect<RealtimeSocket> {
  private ns?: Namespace;

  constructor(
    private readonly admission: SocketAdmission,
    private readonly sessions: SocketSessions,
    private readonly scaleOut: RealtimeScaleOut,
  ) {}

  afterInit(ns: Namespace): void {
    this.ns = ns;
    this.scaleOut.attach(ns.server);
    this.sessions.bind(ns);
    ns.use(this.admission.middleware);
  }

  handleConnection(socket: RealtimeSocket): void {
    void socket.join(userRoom(socket.data.principal.userId));
    socket.use(this.admission.rateLimit(socket) as never);
    this.sessions.arm(socket);
  }

  handleDisconnect(socket: RealtimeSocket): void {
    if (socket.data?.principal) this.sessions.disarm(socket);
  }

  @SubscribeMessage('whoami')
  @AllowStatus(...PENDING_STATUSES)
  whoami(@ConnectedSocket() socket: RealtimeSocket): Record<string, unknown> {
    const p = socket.data.principal;
    return { userId: p.userId, email: p.email, role: p.role, status: p.status, expiresAt: p.expiresAt ?? null };
  }

  /** An admin's console joins the room that hears `admin.user.changed` for every ladder change, on any instance. */
  @SubscribeMessage('admin.subscribe')
  @Roles('admin')
  adminSubscribe(@ConnectedSocket() socket: RealtimeSocket): { subscribed: true } {
    void socket.join(ADMIN_ROOM);
    return { subscribed: true };
  }

  /** `token.refresh { token }`: the socket lives on past its token's `exp` on a fresh token for the same user. */
  @SubscribeMessage('token.refresh')
  @Public()
  async refresh(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() body: unknown): Promise<{ expiresAt: number | null }> {
    const token = typeof body === 'object' && body !== null ? (body as { token?: unknown }).token : undefined;
    const credential = handshakeCredential({ headers: {}, auth: { token: token ?? '' }, query: {} }, '', new Set());
    if (!credential) throw new AuthenticationError('AUTH_TOKEN_MISSING');
    const principal = await this.sessions.refresh(socket, credential);
    return { expiresAt: principal.expiresAt ?? null };
  }

  /** Once per ladder change (on the instance that made it), to admins on every instance through the adapter. */
  @OnEvent(USER_STATUS_CHANGED)
  onStatusChanged(e: UserStatusChanged): void {
    this.ns?.to(ADMIN_ROOM).emit('admin.user.changed', { userId: e.userId, status: e.to, previous: e.from, event: e.event, actor: e.actor });
  }
}
