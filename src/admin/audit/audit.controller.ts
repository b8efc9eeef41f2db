import { Controller, Get, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../../common/decorators/auth.decorators';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import type { Principal } from '../../common/principal';
import type { VerifyOutcome } from '../../users';
import { AuditExportQuery, AuditListQuery } from './audit.dto';
import { type AuditPage, AuditService } from './audit.service';

/** The audit trail under /api/v1/admin/audit: administrators and auditors read, export and verify it. Thin. */
@ApiTags('admin')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Roles('admin', 'auditor')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'The audit trail, newest first: filters combine; keyset paging (nextCursor). The read is itself audited' })
  @ApiOkResponse({ schema: { type: 'object', properties: { entries: { type: 'array', items: { type: 'object', additionalProperties: true } }, nextCursor: { type: 'string', nullable: true } } } })
  @ApiErrors('INVALID_INPUT')
  list(@Query() query: AuditListQuery, @CurrentUser() me: Principal): Promise<AuditPage> {
    return this.audit.list(query, me);
  }

  @Get('export')
  @ApiOperation({ summary: 'Every matching row, oldest first, streamed as NDJSON or CSV (formulas neutralised, line breaks escaped). Audited' })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'One row per line', content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } } })
  @ApiErrors('INVALID_INPUT')
  async export(@Query() query: AuditExportQuery, @CurrentUser() me: Principal, @Res({ passthrough: true }) res: FastifyReply): Promise<StreamableFile> {
    const csv = query.format === 'csv';
    const stream = await this.audit.export(query, me);
    void res.header('cache-control', 'no-store');
    return new StreamableFile(stream, {
      type: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="gatehouse-audit.${csv ? 'csv' : 'ndjson'}"`,
    });
  }

  @Get('verify')
  @ApiOperation({ summary: 'Walks the hash chain from the anchor: { ok, checked, brokenAt?, head }. Audited' })
  @ApiOkResponse({ schema: { type: 'object', properties: { ok: { type: 'boolean' }, checked: { type: 'integer' }, brokenAt: { type: 'object', additionalProperties: true }, head: { type: 'object', additionalProperties: true } } } })
  @ApiErrors()
  verify(@CurrentUser() me: Principal): Promise<VerifyOutcome> {
    return this.audit.verify(me);
  }
}
