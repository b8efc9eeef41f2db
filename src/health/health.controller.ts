import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator';
import { ServiceUnavailableError } from '../common/errors/app-error';
import { ApiErrorResponses } from '../common/errors/error-response.dto';
import { ApiErrors } from '../common/openapi/api-contract.decorators';

const READY_TIMEOUT_MS = 2_000;
const statusSchema = (value: string) => ({ schema: { type: 'object', properties: { status: { type: 'string', enum: [value] } }, required: ['status'] } });

@ApiTags('health')
@ApiErrorResponses()
@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Liveness: the process answers. Touches nothing else, so a slow database never gets the pod killed. */
  @Public()
  @Get('health')
  @ApiOperation({ summary: 'Liveness probe (no dependencies)' })
  @ApiOkResponse(statusSchema('ok'))
  @ApiErrors()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers within a bound. */
  @Public()
  @Get('ready')
  @HttpCode(200)
  @ApiOperation({ summary: 'Readiness probe (database reachable)' })
  @ApiOkResponse(statusSchema('ready'))
  @ApiErrors('DATABASE_UNAVAILABLE')
  async ready(): Promise<{ status: 'ready' }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.db.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
        }),
      ]);
      return { status: 'ready' };
    } catch (err) {
      throw new ServiceUnavailableError('DATABASE_UNAVAILABLE', 'The database is not reachable', String((err as Error).message));
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
