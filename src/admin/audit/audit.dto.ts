import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsPlainText } from '../../common/validation';
import { AUDIT_RESULTS, type AuditResult } from '../../users';

export const AUDIT_MAX_LIMIT = 500;
export const AUDIT_DEFAULT_LIMIT = 100;
export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The audit trail's filters (all combine). Unknown values are refused (400), never ignored. */
export class AuditFilterQuery {
  @ApiPropertyOptional({ description: 'An actor as written (`admin:<id>`, `system`, `stripe`, …) or a user id (that user in any capacity)', maxLength: 200 })
  @IsOptional() @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ description: 'The user the row is about', format: 'uuid' })
  @IsOptional() @IsUUID()
  target?: string;

  @ApiPropertyOptional({ description: 'An event type (`admin.user_deleted`), or a prefix ending in `*` (`login.*`)', maxLength: 100 })
  @IsOptional() @IsString() @IsPlainText() @Matches(/^[a-zA-Z0-9_.:-]+\*?$/) @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ enum: AUDIT_RESULTS })
  @IsOptional() @IsIn(AUDIT_RESULTS)
  result?: AuditResult;

  @ApiPropertyOptional({ format: 'date-time', description: 'At or after' })
  @IsOptional() @Type(() => Date) @IsDate()
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Before' })
  @IsOptional() @Type(() => Date) @IsDate()
  to?: Date;

  @ApiPropertyOptional({ description: 'The X-Request-Id of the request that wrote the rows', maxLength: 200 })
  @IsOptional() @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(200)
  requestId?: string;
}

export class AuditListQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_MAX_LIMIT, default: AUDIT_DEFAULT_LIMIT })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @IsPlainText() @MaxLength(200)
  cursor?: string;
}

export class AuditExportQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional() @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}
