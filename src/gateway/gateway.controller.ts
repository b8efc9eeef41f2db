import { applyDecorators, Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import { ApiErrors } from '../common/openapi/api-contract.decorators';
import { GatewayProxy, type GatewayRequest } from './gateway-proxy.service';

const FORWARD = 'gw/:name/*';
const SUMMARY = 'Forward to the internal service <name> as the signed, authenticated caller (body streamed both ways)';

/** Every forwarding route documents the same thing: the upstream's answer passes through; the gateway's own refusals. */
const Forwarded = () =>
  applyDecorators(
    ApiOperation({ summary: SUMMARY }),
    ApiOkResponse({ description: "The upstream's answer (any status, headers and body), streamed", schema: {} }),
    ApiErrors('BAD_REQUEST', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'PAYLOAD_TOO_LARGE', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'),
  );

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
  @Forwarded()
  get(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Post(FORWARD)
  @Forwarded()
  post(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Put(FORWARD)
  @Forwarded()
  put(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Patch(FORWARD)
  @Forwarded()
  patch(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }

  @Delete(FORWARD)
  @Forwarded()
  delete(@Req() req: GatewayRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.forward(req, reply);
  }
}
