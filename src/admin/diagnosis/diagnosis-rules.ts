import type { LoginLockState, ProviderLock, ReconcileStep } from '../../auth';
import type { UserStatus } from '../../common/user-status';
import type { ProviderName, Role } from '../../config/config.types';

/**
 * "Why can't this user sign in?" as pure rules: Gatehouse's view of a user and the provider's, in; what stops the
 * user (blockers) and where the two disagree (drift), each with the action that fixes it, out. No I/O: the service
 * gathers both views and applies the reconcilable steps.
 */

/** Gatehouse's side: the ladder, its blocks, MFA, the address, the watermark and the login lockout. */
export interface GatehouseView {
  status: UserStatus;
  /** The ladder step the user waits for (null: active, or nothing left but a block). */
  waitingFor: string | null;
  blocks: Array<{ kind: string; by: string; reason: string | null; until: string | null }>;
  role: Role;
  emailVerified: boolean;
  mfa: { required: boolean; enrolled: boolean; method: 'totp' | 'sms' | null };
  sessionsValidAfter: string | null;
  lockout: LoginLockState;
}

/** The provider's side, or why it could not be read. */
export type ProviderSide =
  | {
      available: true;
      provider: ProviderName;
      enabled: boolean | null;
      status: string | null;
      emailVerified: boolean | null;
      mfa: string[];
      preferredMfa: string | null;
      groups: string[] | null;
      groupRole: Role | null;
      lock: ProviderLock | null;
    }
  | { available: false; provider: ProviderName; code: string };

/** Who can fix a finding, and how. `route` is the admin API call where an administrator can. */
export interface Fix {
  by: 'reconcile' | 'admin' | 'user' | 'time';
  action: string;
  route?: string;
}

export interface Finding {
  /** Stable UPPER_SNAKE name of the finding. */
  kind: string;
  /** `refused`: no sign-in at all; `held`: signs in but is kept at a step; `info`: worth knowing. */
  effect: 'refused' | 'held' | 'info';
  message: string;
  fixes: Fix[];
}

export interface Drift extends Finding {
  gatehouse: unknown;
  provider: unknown;
  /** Set when POST …/reconcile applies the provider's truth for this one (safe: it grants nothing unproved). */
  reconcile: ReconcileStep | null;
}

export interface Diagnosis {
  canSignIn: boolean;
  blockers: Finding[];
  drift: Drift[];
}

const ROLE_RANK: Record<Role, number> = { user: 0, auditor: 1, admin: 2 };
const route = (action: string) => `POST /api/v1/admin/users/:id/${action}`;
const RECONCILE: Fix = { by: 'reconcile', action: 'reconcile', route: route('reconcile') };

const STEP_FIX: Record<string, { message: string; fix: Fix }> = {
  email_verification: { message: 'waits for the email address to be confirmed', fix: { by: 'user', action: 'confirm the address (POST /api/v1/auth/resend-verification sends a new code)' } },
  approval: { message: 'waits for approval', fix: { by: 'admin', action: 'approve', route: route('approve') } },
  mfa_enrollment: { message: 'waits for a second factor to be enrolled', fix: { by: 'user', action: 'enrol TOTP (POST /api/v1/auth/mfa/enroll, then /mfa/verify)' } },
  subscription: { message: 'waits for a subscription', fix: { by: 'user', action: 'subscribe (the billing webhook records it)' } },
};

/** What stops the user, from Gatehouse's side. */
function gatehouseBlockers(g: GatehouseView): Finding[] {
  const out: Finding[] = [];
  for (const b of g.blocks) {
    const why = b.reason ? `: ${b.reason}` : '';
    if (b.kind === 'disabled') out.push({ kind: 'DISABLED', effect: 'refused', message: `disabled by ${b.by}${why}`, fixes: [{ by: 'admin', action: 'enable', route: route('enable') }] });
    if (b.kind === 'rejected') out.push({ kind: 'REJECTED', effect: 'refused', message: `rejected by ${b.by}${why}`, fixes: [{ by: 'admin', action: 'none: a rejection stands (delete the account to let them register again)' }] });
    if (b.kind === 'suspended') {
      const fixes: Fix[] = [{ by: b.by === 'billing' ? 'user' : 'admin', action: b.by === 'billing' ? 'pay (billing lifts its own suspension)' : 'reactivate', ...(b.by === 'billing' ? {} : { route: route('reactivate') }) }];
      if (b.until) fixes.push({ by: 'time', action: `lifted automatically at ${b.until}` });
      out.push({ kind: 'SUSPENDED', effect: 'refused', message: `suspended by ${b.by}${why}`, fixes });
    }
  }
  const step = g.waitingFor ? STEP_FIX[g.waitingFor] : undefined;
  if (step && g.blocks.length === 0) out.push({ kind: `WAITING_FOR_${g.waitingFor!.toUpperCase()}`, effect: 'held', message: `signs in, but ${step.message}`, fixes: [step.fix] });
  // The method, not the ladder fact: the fact may stand from before the requirement while no authenticator is enabled.
  if (g.mfa.required && g.mfa.method === null && g.waitingFor !== 'mfa_enrollment') {
    out.push({ kind: 'MFA_REQUIRED_NOT_ENROLLED', effect: 'held', message: 'an administrator requires MFA and no authenticator is enrolled', fixes: [STEP_FIX.mfa_enrollment!.fix] });
  }
  if (g.lockout.locked) {
    const fixes: Fix[] = [{ by: 'time', action: `wait until ${g.lockout.lockedUntil}` }, { by: 'admin', action: 'set a new password (it restarts the counts)', route: route('set-password') }];
    const who = g.lockout.lockedClients > 0 ? `${g.lockout.lockedClients} client(s) locked out` : 'the address rests after repeated failures';
    out.push({ kind: 'LOGIN_LOCKED', effect: 'refused', message: `${g.lockout.failures} failed sign-ins: ${who}`, fixes });
  }
  return out;
}

/** Provider statuses that stop or change a sign-in (Cognito's words; the local provider uses the same ones). */
const PROVIDER_STATUS: Record<string, Omit<Finding, 'kind'>> = {
  FORCE_CHANGE_PASSWORD: { effect: 'info', message: 'must choose a new password at the next sign-in (the temporary one expires)', fixes: [{ by: 'admin', action: 'set a permanent password', route: route('set-password') }] },
  RESET_REQUIRED: { effect: 'refused', message: 'the provider requires a password reset before any sign-in', fixes: [{ by: 'user', action: 'reset the password (POST /api/v1/auth/password/forgot)' }, { by: 'admin', action: 'reset-password', route: route('reset-password') }] },
  COMPROMISED: { effect: 'refused', message: 'the provider marked the credentials compromised', fixes: [{ by: 'admin', action: 'reset-password', route: route('reset-password') }] },
  UNCONFIRMED: { effect: 'refused', message: 'the sign-up is not confirmed at the provider', fixes: [{ by: 'user', action: 'confirm the sign-up code (POST /api/v1/auth/resend-verification)' }] },
};

/** What stops the user at the provider. */
function providerBlockers(p: ProviderSide): Finding[] {
  if (!p.available) {
    return [{ kind: 'PROVIDER_UNREADABLE', effect: 'info', message: `the provider's view could not be read (${p.code})`, fixes: [{ by: 'admin', action: 'run the provider self-test', route: 'POST /api/v1/admin/provider/test' }] }];
  }
  const out: Finding[] = [];
  if (p.enabled === false) out.push({ kind: 'PROVIDER_DISABLED', effect: 'refused', message: 'disabled at the provider', fixes: [{ by: 'admin', action: 'enable', route: route('enable') }] });
  const status = p.status ? PROVIDER_STATUS[p.status] : undefined;
  if (status) out.push({ kind: `PROVIDER_${p.status}`, ...status });
  if (p.lock?.mfaLockedUntil) {
    out.push({ kind: 'MFA_LOCKED', effect: 'refused', message: 'too many wrong second-factor codes', fixes: [{ by: 'time', action: `wait until ${p.lock.mfaLockedUntil}` }] });
  }
  return out;
}

/** Where the two views disagree, each with its fix; `reconcile` set only where applying the provider's truth is safe. */
function driftOf(g: GatehouseView, p: ProviderSide): Drift[] {
  if (!p.available) return [];
  const out: Drift[] = [];
  const disabledHere = g.status === 'disabled';
  if (p.enabled === false && !disabledHere) {
    out.push({
      kind: 'DISABLED_AT_PROVIDER_ONLY', effect: 'refused', gatehouse: g.status, provider: { enabled: false }, reconcile: { kind: 'disabled' },
      message: `the provider has the user disabled; Gatehouse says ${g.status}`,
      fixes: [RECONCILE, { by: 'admin', action: 'enable (at both) if the disable was a mistake', route: route('enable') }],
    });
  }
  if (p.enabled === true && disabledHere) {
    out.push({
      kind: 'ENABLED_AT_PROVIDER_ONLY', effect: 'info', gatehouse: 'disabled', provider: { enabled: true }, reconcile: null,
      message: 'Gatehouse has the user disabled; the provider would let them sign in elsewhere',
      fixes: [{ by: 'admin', action: 'disable again (re-applies at the provider)', route: route('disable') }, { by: 'admin', action: 'enable', route: route('enable') }],
    });
  }
  if (p.emailVerified === true && !g.emailVerified) {
    out.push({
      kind: 'EMAIL_VERIFIED_AT_PROVIDER_ONLY', effect: g.waitingFor === 'email_verification' ? 'held' : 'info', gatehouse: { emailVerified: false }, provider: { emailVerified: true },
      reconcile: { kind: 'email_verified' }, message: 'the provider has the address verified; Gatehouse does not', fixes: [RECONCILE],
    });
  }
  if (p.emailVerified === false && g.emailVerified) {
    out.push({
      kind: 'EMAIL_UNVERIFIED_AT_PROVIDER', effect: 'info', gatehouse: { emailVerified: true }, provider: { emailVerified: false }, reconcile: null,
      message: 'Gatehouse has the address verified; the provider does not (mail-based recovery may fail there)',
      fixes: [{ by: 'user', action: 'confirm the address again (POST /api/v1/auth/resend-verification)' }],
    });
  }
  const method = g.mfa.method;
  if (method !== null && !p.mfa.includes(method)) {
    out.push({
      kind: 'MFA_MISSING_AT_PROVIDER', effect: 'info', gatehouse: { method }, provider: { mfa: p.mfa }, reconcile: { kind: 'mfa_removed' },
      message: `Gatehouse records ${method} but the provider has no such factor: it will not challenge`,
      fixes: [RECONCILE, { by: 'user', action: 'enrol again (POST /api/v1/auth/mfa/enroll)' }],
    });
  }
  if (method === null && p.mfa.includes('totp')) {
    out.push({
      kind: 'MFA_ONLY_AT_PROVIDER', effect: g.waitingFor === 'mfa_enrollment' ? 'held' : 'info', gatehouse: { method: null }, provider: { mfa: p.mfa }, reconcile: { kind: 'mfa_enrolled', method: 'totp' },
      message: 'the provider has a verified authenticator; Gatehouse records none', fixes: [RECONCILE],
    });
  }
  if (g.mfa.required && p.mfa.length > 0 && p.preferredMfa === null) {
    out.push({
      kind: 'MFA_REQUIRED_NOT_ENFORCED', effect: 'info', gatehouse: { required: true }, provider: { mfa: p.mfa, preferredMfa: null }, reconcile: null,
      message: 'MFA is required but the provider has no preferred factor: it may not challenge', fixes: [{ by: 'admin', action: 'require-mfa (sets the preferred factor)', route: route('require-mfa') }],
    });
  }
  if (p.groupRole !== null && p.groupRole !== g.role) {
    const demotes = ROLE_RANK[p.groupRole] < ROLE_RANK[g.role];
    out.push({
      kind: 'ROLE_DIFFERS_FROM_GROUPS', effect: 'info', gatehouse: { role: g.role }, provider: { groups: p.groups, role: p.groupRole },
      // Taking a role away is safe; granting one because a group says so is an administrator's decision.
      reconcile: demotes ? { kind: 'role', role: p.groupRole } : null,
      message: `Gatehouse says ${g.role}; the provider's groups give ${p.groupRole}`,
      fixes: demotes ? [RECONCILE] : [{ by: 'admin', action: `set the role (PUT /api/v1/admin/users/:id/role {"role":"${p.groupRole}"})` }],
    });
  }
  return out;
}

/** The whole diagnosis: a user can sign in when nothing on either side refuses them. */
export function diagnose(g: GatehouseView, p: ProviderSide): Diagnosis {
  const blockers = [...gatehouseBlockers(g), ...providerBlockers(p)];
  const drift = driftOf(g, p);
  return { canSignIn: !blockers.some((b) => b.effect === 'refused'), blockers, drift };
}
