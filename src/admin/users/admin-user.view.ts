import { createHash } from 'node:crypto';
import type { UserStatus } from '../../common/user-status';
import type { DirectoryUserDetail, ProviderLock } from '../../auth';
import type { Role } from '../../config/config.types';
import { type Block, BLOCK_KINDS, deriveStatus, type OnboardingSteps, type UserEntity } from '../../users';

/** The step a pending status waits for. */
const STEP_OF: Partial<Record<UserStatus, string>> = {
  pending_verification: 'email_verification',
  pending_approval: 'approval',
  pending_mfa: 'mfa_enrollment',
  pending_subscription: 'subscription',
};

/**
 * The step the user waits for, read from the progress facts alone: a blocked user shows where they will stand once
 * the block is lifted (null: nothing left but the block, or active).
 */
export function waitingFor(user: UserEntity, steps: OnboardingSteps): string | null {
  const facts = { email_verified: user.emailVerifiedAt !== null, approved: user.approvedAt !== null, mfa_enrolled: user.mfaEnrolledAt !== null, entitled: user.entitled };
  return STEP_OF[deriveStatus(facts, {}, steps)] ?? null;
}

/**
 * A strong ETag over everything an administrator decides on: any change to the profile, the ladder, the role, MFA or
 * the watermark gives a new one, so `If-Match` with an older one is refused. `version` moves with every `If-Match`
 * claim, so one ETag serves one action (see AdminUsersService.claimed).
 */
export function etagOf(user: UserEntity): string {
  const state = [
    user.id, user.email, user.fullName, user.role, user.status, user.organizationId, user.emailVerified, user.mfaMethod, user.mfaRequired,
    user.emailVerifiedAt?.toISOString(), user.approvedAt?.toISOString(), user.mfaEnrolledAt?.toISOString(), user.entitled,
    JSON.stringify(BLOCK_KINDS.map((k) => user.blocks[k] ?? null)), user.tokensValidAfter?.toISOString(), user.passwordResetAt?.toISOString(),
    user.version,
  ];
  return `"${createHash('sha256').update(JSON.stringify(state)).digest('base64url').slice(0, 27)}"`;
}

/** What an administrator sees of a user in a list. Written field by field: no secret, hash or token can slip in. */
export function summaryOf(user: UserEntity, steps: OnboardingSteps) {
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    provider: user.authProvider,
    status: user.status,
    waitingFor: waitingFor(user, steps),
    blocks: BLOCK_KINDS.flatMap((k) => (user.blocks[k] ? [blockView(user.blocks[k])] : [])),
    mfa: { method: user.mfaMethod, enrolled: user.mfaEnrolledAt !== null, required: user.mfaRequired },
    organizationId: user.organizationId,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
export type AdminUserSummary = ReturnType<typeof summaryOf>;

function blockView(b: Block) {
  return { kind: b.kind, by: b.by, reason: b.reason, until: b.until, at: b.at };
}

/** The provider's own view of the user, or why it could not be read (the rest of the answer stands without it). */
export type ProviderView =
  | {
      available: true;
      enabled: boolean | null;
      status: string | null;
      emailVerified: boolean | null;
      mfa: string[];
      preferredMfa: string | null;
      /** Cognito groups; null where the provider has none (local). */
      groups: string[] | null;
      groupRole: Role | null;
      /** The provider's sign-in lock (local); null where the provider does not tell (Cognito). */
      lock: ProviderLock | null;
    }
  | { available: false; code: string };

export function providerViewOf(d: DirectoryUserDetail): ProviderView {
  return {
    available: true,
    enabled: d.enabled ?? null,
    status: d.status ?? null,
    emailVerified: d.emailVerified ?? null,
    mfa: d.mfa ?? [],
    preferredMfa: d.preferredMfa ?? null,
    groups: d.groups,
    groupRole: d.groupRole ?? null,
    lock: d.lock,
  };
}

/** The full record of one user for an administrator. */
export function detailOf(user: UserEntity, steps: OnboardingSteps, provider: ProviderView) {
  return {
    ...summaryOf(user, steps),
    emailVerified: user.emailVerified,
    progress: {
      emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
      approvedAt: user.approvedAt?.toISOString() ?? null,
      approvedBy: user.approvedBy,
      mfaEnrolledAt: user.mfaEnrolledAt?.toISOString() ?? null,
      entitled: user.entitled,
    },
    sessionsValidAfter: user.tokensValidAfter?.toISOString() ?? null,
    passwordResetAt: user.passwordResetAt?.toISOString() ?? null,
    providerView: provider,
  };
}
export type AdminUserDetail = ReturnType<typeof detailOf>;
