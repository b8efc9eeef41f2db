import { Module } from '@nestjs/common';

/** The socket.io gateway (handshake auth through the same verifier, per-user rooms) lands here; see the realtime issue. */
@Module({})
export class RealtimeModule {}
