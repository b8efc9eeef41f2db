import { Module } from '@nestjs/common';
import { AuthCoreModule } from '../auth';
import { GatewayController } from './gateway.controller';
import { GATEWAY_CLOCK, GatewayProxy } from './gateway-proxy.service';

/**
 * The auth gateway: authenticated reverse proxy to internal services with a signed identity. It imports the auth core
 * (the global guard admits its callers through the same Authenticator); nothing imports it.
 */
@Module({
  imports: [AuthCoreModule],
  controllers: [GatewayController],
  providers: [GatewayProxy, { provide: GATEWAY_CLOCK, useValue: () => Math.floor(Date.now() / 1000) }],
})
export class GatewayModule {}
