import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { USER_STATUSES, UserStatus } from '../common/user-status';

/** Append-only audit row: who did what to which user, and the status step it caused. */
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
}
