import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDate, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUTH_PROVIDERS, USER_STATUSES, type UserAuthProvider, type UserStatus } from '../../common/user-status';
import { IsEmailAddress, IsPlainText } from '../../common/validation';
import { ROLES, type Role } from '../../config/config.types';
import { DEFAULT_LIMIT, DEFAULT_SORT, MAX_LIMIT, SORTS, type Sort } from './admin-paging';

/*
 * The admin API's input. Every string is @IsPlainText (dto-rules.spec.ts holds every DTO to it). A limit above the
 * maximum and an unknown sort are refused (400), never truncated or ignored.
 */

const MAX_REASON = 500;
const MAX_PASSWORD = 1024;
const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListUsersQuery {
  @ApiPropertyOptional({ description: 'Part of the address or name, or the start of the id', maxLength: 200 })
  @IsOptional() @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES })
  @IsOptional() @IsIn(USER_STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ enum: AUTH_PROVIDERS })
  @IsOptional() @IsIn(AUTH_PROVIDERS)
  provider?: UserAuthProvider;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional() @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'true: a second factor is enrolled; false: none' })
  @IsOptional() @Transform(toBool) @IsBoolean()
  mfa?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' })
  @IsOptional() @Type(() => Date) @IsDate()
  createdFrom?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' })
  @IsOptional() @Type(() => Date) @IsDate()
  createdTo?: Date;

  @ApiPropertyOptional({ enum: SORTS, default: DEFAULT_SORT })
  @IsOptional() @IsIn(SORTS)
  sort?: Sort;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @IsPlainText() @MaxLength(600)
  cursor?: string;
}

export class ApprovalsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional() @IsString() @IsPlainText() @MaxLength(600)
  cursor?: string;
}

/** A reason is required where an action takes something away from the user (reject, suspend, disable, delete). */
export class ReasonDto {
  @ApiProperty({ maxLength: MAX_REASON })
  @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(MAX_REASON)
  reason!: string;
}

export class SuspendDto extends ReasonDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'When the suspension lifts itself; must be in the future' })
  @IsOptional() @Type(() => Date) @IsDate()
  until?: Date;
}

export class SetPasswordDto {
  @ApiProperty({ maxLength: MAX_PASSWORD })
  @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(MAX_PASSWORD)
  password!: string;

  @ApiProperty({ description: 'false: the user must choose a new password at the next sign-in' })
  @IsBoolean()
  permanent!: boolean;
}

export class SetRoleDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Provider attributes, e.g. {"custom:organizationId": "org-7"}', type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional() @IsObject()
  attributes?: Record<string, string>;
}

export class CreateUserDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmailAddress()
  email!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Without it a temporary password is generated and mailed in the invitation' })
  @IsOptional() @IsString() @IsPlainText() @IsNotEmpty() @MaxLength(MAX_PASSWORD)
  temporaryPassword?: string;

  @ApiPropertyOptional({ description: 'Mark the address verified (the user skips email verification)', default: false })
  @IsOptional() @IsBoolean()
  emailVerified?: boolean;

  @ApiPropertyOptional({ description: 'false: no invitation mail (hand the temporary password over yourself)', default: true })
  @IsOptional() @IsBoolean()
  sendInvite?: boolean;
}

/** `:id` is a uuid, refused with 400 before any lookup otherwise. */
export class UserIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsString() @IsPlainText() @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'id must be a user id' })
  id!: string;
}
