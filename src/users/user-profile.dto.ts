import { ApiProperty } from '@nestjs/swagger';
import { sharedAnswer } from '../common/http/shared-answers';
import type { Principal } from '../common/principal';
import { USER_STATUSES, type UserStatus } from '../common/user-status';
import type { UserEntity } from './user.entity';

/**
 * Profiles already built, per principal and the exact row they came from. The guard hands out the same principal
 * object for a token until its user row changes, and the user cache the same row object until it changes, so a hit
 * (both identical) means nothing the profile is made of has changed: the hot path builds nothing per request.
 */
const built = new WeakMap<Principal, { row: UserEntity; profile: UserProfileDto; generation: number }>();

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

  /**
   * As `from` for a row read from the user cache at `generation` (UserCache.generation), remembered for this principal
   * while its row stays the same object (frozen, its JSON rendered once).
   */
  static cached(user: UserEntity, principal: Principal, generation: number): UserProfileDto {
    const prior = built.get(principal);
    if (prior && prior.row === user) {
      prior.generation = generation;
      return prior.profile;
    }
    const profile = sharedAnswer(UserProfileDto.from(user, principal));
    built.set(principal, { row: user, profile, generation });
    return profile;
  }

  /** The profile `cached` last gave for this principal, if the user cache has not moved since (so its row is still the one cached). */
  static kept(principal: Principal, generation: number): UserProfileDto | undefined {
    const prior = built.get(principal);
    return prior !== undefined && prior.generation === generation ? prior.profile : undefined;
  }

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
