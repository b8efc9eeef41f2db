import { ApiProperty } from '@nestjs/swagger';
import type { Principal } from '../common/principal';
import { USER_STATUSES, type UserStatus } from '../common/user-status';
import type { UserEntity } from './user.entity';

/** What a user may see of themselves. The entity never leaves the service layer; this mapper decides the fields. */
export class UserProfileDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) fullName!: string | null;
  @ApiProperty({ enum: ['admin', 'auditor', 'user'] }) role!: string;
  @ApiProperty({ enum: USER_STATUSES }) status!: UserStatus;
  @ApiProperty() emailVerified!: boolean;
  @ApiProperty() mfaEnabled!: boolean;
  @ApiProperty() mfaRequired!: boolean;
  @ApiProperty({ nullable: true, type: String }) organizationId!: string | null;
  @ApiProperty() provider!: string;
  @ApiProperty() createdAt!: string;

  static from(user: UserEntity, principal: Principal): UserProfileDto {
    return {
      id: user.id,
      email: user.email,
      fullName: user.fullName,
      role: principal.role,
      status: user.status,
      emailVerified: user.emailVerified,
      mfaEnabled: user.mfaMethod !== null,
      mfaRequired: user.mfaRequired,
      organizationId: principal.organizationId,
      provider: user.authProvider,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
