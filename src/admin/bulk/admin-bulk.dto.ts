import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { BULK_ACTIONS, type BulkAction } from '../../auth';
import { IsPlainText } from '../../common/validation';

/** The most ids one bulk request may name: bounded work per request, and a bounded stored answer per key. */
export const MAX_BULK_IDS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** POST /admin/users/bulk. A repeated id is refused (400): each id gets exactly one outcome. */
export class BulkActionDto {
  @ApiProperty({ enum: BULK_ACTIONS })
  @IsIn(BULK_ACTIONS)
  action!: BulkAction;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_BULK_IDS })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_BULK_IDS) @ArrayUnique()
  @IsString({ each: true }) @IsPlainText({ each: true }) @Matches(UUID, { each: true, message: 'each id must be a user id' })
  ids!: string[];

  @ApiProperty({ maxLength: 500, description: 'Recorded in every audit row the request writes' })
  @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(500)
  reason!: string;

  @ApiPropertyOptional({ default: false, description: 'true: answer what would happen to each id, and change nothing' })
  @IsOptional() @IsBoolean()
  dryRun?: boolean;
}
