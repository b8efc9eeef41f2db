import { Module } from '@nestjs/common';
import { AuthCoreModule } from '../auth';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeScaleOut } from './scale-out';
import { SocketAdmission } from './socket-admission';
import { SocketAuthGuard } from './socket-auth.guard';
import { SocketSessions } from './socket-sessions';

/**
 * Realtime clients: the socket.io gateway (/realtime), handshake admission through the auth core's Authenticator,
 * per-user rooms, sessions that end on time, and the adapter for scale-out. It imports auth and listens to users'
 * domain events; nothing imports it.
 */
@Module({
  imports: [AuthCoreModule],
  providers: [RealtimeGateway, SocketAdmission, SocketSessions, SocketAuthGuard, RealtimeScaleOut],
})
export class RealtimeModule {}
