import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/errors/error-response.dto';
import { ApiErrors } from '../../common/openapi/api-contract.decorators';
import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '../../common/decorators/auth.decorators';
import { BadRequestError } from '../../common/errors/app-error';
import { BillingStore, LEDGER_OUTCOMES, type LedgerOutcome, type LedgerRow } from './billing.store';

const PAGE = 50;

/** The Stripe ledger for administrators and auditors, newest first; `cursor` is the last page's `nextCursor`. */
@ApiTags('admin')
@ApiErrorResponses()
@ApiBearerAuth('bearer')
@Controller('admin/billing')
@Roles('admin', 'auditor')
export class BillingEventsController {
  constructor(private readonly store: BillingStore) {}

  @Get('events')
  @ApiOperation({ summary: 'The Stripe event ledger, newest first (`cursor`: the last page\'s `nextCursor`)' })
  @ApiQuery({ name: 'outcome', required: false, enum: LEDGER_OUTCOMES })
  @ApiQuery({ name: 'cursor', required: false, type: String })
  @ApiOkResponse({ schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } }, nextCursor: { type: 'string', nullable: true } } } })
  @ApiErrors('INVALID_INPUT')
  async events(@Query('outcome') outcome?: string, @Query('cursor') cursor?: string): Promise<{ items: LedgerRow[]; nextCursor: string | null }> {
    if (outcome !== undefined && !(LEDGER_OUTCOMES as readonly string[]).includes(outcome)) throw new BadRequestError('INVALID_INPUT', `outcome must be one of ${LEDGER_OUTCOMES.join(', ')}`);
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) throw new BadRequestError('INVALID_INPUT', 'cursor is not valid');
    const items = await this.store.ledger(outcome as LedgerOutcome | undefined, cursor, PAGE);
    return { items, nextCursor: items.length === PAGE ? items[items.length - 1]!.seq : null };
  }
}
