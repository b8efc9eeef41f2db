import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { USER_STATUSES, UserStatus } from '../common/user-status';
import type { AuditResult } from './audit-event';

/** Append-only audit row (the database refuses UPDATE and DELETE; see migrations/1763861600000-audit-trail.ts): who did what to which user, and the status step it caused. */
@Entity({ schema: 'auth', name: 'user_events' })
export class UserEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  /** `user:<id>`, `admin:<id>`, `system`, `stripe`, … */
  @Column({ type: 'text' }) actor!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ name: 'from_status', type: 'enum', enum: USER_STATUSES, enumName: 'user_status', nullable: true }) fromStatus!: UserStatus | null;
  @Column({ name: 'to_status', type: 'enum', enum: USER_STATUSES, enumName: 'user_status', nullable: true }) toStatus!: UserStatus | null;
  @Column({ type: 'jsonb' }) detail!: Record<string, unknown>;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ name: 'actor_role', type: 'text', nullable: true }) actorRole!: string | null;
  @Column({ type: 'text', nullable: true }) ip!: string | null;
  @Column({ name: 'user_agent', type: 'text', nullable: true }) userAgent!: string | null;
  @Column({ type: 'text' }) result!: AuditResult;
  @Column({ name: 'result_code', type: 'text', nullable: true }) resultCode!: string | null;
  @Column({ name: 'request_id', type: 'text', nullable: true }) requestId!: string | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  /** The row's place in the hash chain (commit order) and the hashes; null until its transaction commits. */
  @Column({ type: 'bigint', nullable: true }) seq!: string | null;
  @Column({ name: 'prev_hash', type: 'text', nullable: true }) prevHash!: string | null;
  @Column({ type: 'text', nullable: true }) hash!: string | null;
}
