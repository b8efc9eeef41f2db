import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../config/config.types';
import { USER_STATUSES, UserAuthProvider, UserStatus } from '../common/user-status';
import type { Blocks } from './onboarding/transitions';

@Entity({ schema: 'auth', name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'citext', nullable: true }) email!: string | null;
  @Column({ type: 'text' }) issuer!: string;
  @Column({ type: 'text' }) subject!: string;
  @Column({ name: 'auth_provider', type: 'text' }) authProvider!: UserAuthProvider;
  @Column({ type: 'enum', enum: USER_STATUSES, enumName: 'user_status' }) status!: UserStatus;
  @Column({ type: 'text' }) role!: Role;
  @Column({ name: 'full_name', type: 'text', nullable: true }) fullName!: string | null;
  @Column({ name: 'email_verified', type: 'boolean' }) emailVerified!: boolean;
  @Column({ name: 'mfa_method', type: 'text', nullable: true }) mfaMethod!: 'totp' | 'sms' | null;
  /** The MFA onboarding step is satisfied while set (a ladder fact: recorded and withdrawn only through the ladder). */
  @Column({ name: 'mfa_enrolled_at', type: 'timestamptz', nullable: true }) mfaEnrolledAt!: Date | null;
  @Column({ name: 'mfa_required', type: 'boolean' }) mfaRequired!: boolean;
  @Column({ name: 'password_reset_at', type: 'timestamptz', nullable: true }) passwordResetAt!: Date | null;
  @Column({ name: 'organization_id', type: 'text', nullable: true }) organizationId!: string | null;
  /** Progress facts (see onboarding/transitions.ts): written only by the ladder, with `status` derived in the same UPDATE. */
  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true }) emailVerifiedAt!: Date | null;
  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true }) approvedAt!: Date | null;
  @Column({ name: 'approved_by', type: 'text', nullable: true }) approvedBy!: string | null;
  @Column({ type: 'boolean' }) entitled!: boolean;
  /** Sanctions laid over the progress, at most one per kind. */
  @Column({ type: 'jsonb' }) blocks!: Blocks;
  @Column({ name: 'tokens_valid_after', type: 'timestamptz', nullable: true }) tokensValidAfter!: Date | null;
  /** Bumped only by an admin action's `If-Match` claim (UsersRepository.claimIfCurrent): part of the ETag. */
  @Column({ type: 'integer' }) version!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
