import { Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import { GatewayProxy, type GatewayRequest } from './gateway-proxy.service';

const FORWARD = 'gw/:name/*';
const SUMMARY = 'Forward to the internal service <name> as the signed, authenticated caller (body streamed both ways)';

/**
 * The auth gateway: `/api/v1/gw/<name>/<path>` goes to the upstream `<name>` from GATEWAY_ROUTES(_FILE). Closed like
 * every route (the global guard: an active caller with a verified token); one handler per method so the route
 * walkers see each. `@Res()`: the upstream's status, headers and body stream are the answer.
 */
@ApiTags('gateway')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@ApiParam({ name: 'name', description: 'the upstream, as configured' })
@Controller()
export class GatewayController {
  constructor(private readonly proxy: GatewayProxy) {}

  @Get(FORWARD)
  @ApiOperation({ summary: SUMMARY })
  get(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Post(FORWARD)
  @ApiOperation({ summary: SUMMARY })
  post(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Put(FORWARD)
  @ApiOperation({ summary: SUMMARY })
  put(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Patch(FORWARD)
  @ApiOperation({ summary: SUMMARY })
  patch(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Delete(FORWARD)
  @ApiOperation({ summary: SUMMARY })
  delete(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }
}
