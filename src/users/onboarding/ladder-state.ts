import type { UserEntity } from '../user.entity';
import type { LadderState } from './transitions';

/** A user row's ladder state, read as ladderWrite reads it (a fact holds when its timestamp is set). */
export function ladderStateOf(u: Pick<UserEntity, 'emailVerifiedAt' | 'approvedAt' | 'mfaEnrolledAt' | 'entitled' | 'blocks'>): LadderState {
  return {
    facts: { email_verified: u.emailVerifiedAt !== null, approved: u.approvedAt !== null, mfa_enrolled: u.mfaEnrolledAt !== null, entitled: u.entitled },
    blocks: u.blocks,
  };
}
