import { diagnose, type GatehouseView, type ProviderSide } from './diagnosis-rules';

const unlocked = { locked: false, failures: 0, lockedClients: 0, lockedUntil: null };
const gh = (over: Partial<GatehouseView> = {}): GatehouseView => ({
  status: 'active',
  waitingFor: null,
  blocks: [],
  role: 'user',
  emailVerified: true,
  mfa: { required: false, enrolled: false, method: null },
  sessionsValidAfter: null,
  lockout: unlocked,
  ...over,
});
const cognito = (over: Partial<Extract<ProviderSide, { available: true }>> = {}): ProviderSide => ({
  available: true,
  provider: 'cognito',
  enabled: true,
  status: 'CONFIRMED',
  emailVerified: true,
  mfa: [],
  preferredMfa: null,
  groups: [],
  groupRole: 'user',
  lock: null,
  ...over,
});
const codes = (xs: Array<{ kind: string }>) => xs.map((x) => x.kind);

describe('diagnosis rules: why a user cannot sign in, and where Gatehouse and the provider disagree', () => {
  it('an active, enabled, agreeing user can sign in: no blockers, no drift', () => {
    expect(diagnose(gh(), cognito())).toEqual({ canSignIn: true, blockers: [], drift: [] });
  });

  describe('drift, each with its fix; reconcile only where the provider’s truth grants nothing unproved', () => {
    it('disabled at the provider, active in Gatehouse: refused, reconcile lays the disabled block', () => {
      const d = diagnose(gh(), cognito({ enabled: false }));
      expect(d.canSignIn).toBe(false);
      expect(d.drift).toEqual([expect.objectContaining({ kind: 'DISABLED_AT_PROVIDER_ONLY', gatehouse: 'active', reconcile: { kind: 'disabled' } })]);
      expect(d.drift[0]!.fixes.map((f) => f.action)).toEqual(['reconcile', 'enable (at both) if the disable was a mistake']);
      expect(codes(d.blockers)).toEqual(['PROVIDER_DISABLED']);
    });

    it('disabled in Gatehouse, enabled at the provider: drift, but reconcile never lifts Gatehouse’s block', () => {
      const d = diagnose(gh({ status: 'disabled', blocks: [{ kind: 'disabled', by: 'admin', reason: 'left', until: null }] }), cognito());
      expect(d.drift).toEqual([expect.objectContaining({ kind: 'ENABLED_AT_PROVIDER_ONLY', reconcile: null })]);
      expect(codes(d.blockers)).toEqual(['DISABLED']);
    });

    it('address verified at the provider only: reconcile records the fact; the other way round is reported, not applied', () => {
      const waiting = gh({ status: 'pending_verification', waitingFor: 'email_verification', emailVerified: false });
      expect(diagnose(waiting, cognito()).drift).toEqual([expect.objectContaining({ kind: 'EMAIL_VERIFIED_AT_PROVIDER_ONLY', effect: 'held', reconcile: { kind: 'email_verified' } })]);
      expect(diagnose(gh(), cognito({ emailVerified: false })).drift).toEqual([expect.objectContaining({ kind: 'EMAIL_UNVERIFIED_AT_PROVIDER', reconcile: null })]);
    });

    it('a factor Gatehouse records but the provider lacks is withdrawn by reconcile; one only the provider has is recorded', () => {
      expect(diagnose(gh({ mfa: { required: false, enrolled: true, method: 'totp' } }), cognito()).drift).toEqual([
        expect.objectContaining({ kind: 'MFA_MISSING_AT_PROVIDER', reconcile: { kind: 'mfa_removed' } }),
      ]);
      expect(diagnose(gh(), cognito({ mfa: ['totp'], preferredMfa: 'totp' })).drift).toEqual([
        expect.objectContaining({ kind: 'MFA_ONLY_AT_PROVIDER', reconcile: { kind: 'mfa_enrolled', method: 'totp' } }),
      ]);
    });

    it('MFA required with a factor the provider does not prefer: drift fixed by require-mfa, not by reconcile', () => {
      const d = diagnose(gh({ mfa: { required: true, enrolled: true, method: 'totp' } }), cognito({ mfa: ['totp'], preferredMfa: null }));
      expect(d.drift).toEqual([expect.objectContaining({ kind: 'MFA_REQUIRED_NOT_ENFORCED', reconcile: null, fixes: [expect.objectContaining({ action: expect.stringMatching(/^require-mfa/) })] })]);
    });

    it('groups giving a lesser role: reconcile demotes; groups giving a greater one: an administrator decides', () => {
      expect(diagnose(gh({ role: 'admin' }), cognito({ groups: [], groupRole: 'user' })).drift).toEqual([
        expect.objectContaining({ kind: 'ROLE_DIFFERS_FROM_GROUPS', reconcile: { kind: 'role', role: 'user' } }),
      ]);
      expect(diagnose(gh(), cognito({ groups: ['Admins'], groupRole: 'admin' })).drift).toEqual([expect.objectContaining({ kind: 'ROLE_DIFFERS_FROM_GROUPS', reconcile: null })]);
      // The local provider has no groups: nothing to compare.
      expect(diagnose(gh({ role: 'admin' }), cognito({ provider: 'local', groups: null, groupRole: null })).drift).toEqual([]);
    });

    it('an unreadable provider: no drift claimed, one finding pointing at the self-test', () => {
      const d = diagnose(gh(), { available: false, provider: 'cognito', code: 'PROVIDER_UNAVAILABLE' });
      expect(d).toEqual({ canSignIn: true, drift: [], blockers: [expect.objectContaining({ kind: 'PROVIDER_UNREADABLE', effect: 'info' })] });
    });
  });

  describe('blockers', () => {
    it('each block names who laid it, why, and the action that lifts it', () => {
      const suspended = diagnose(gh({ status: 'suspended', blocks: [{ kind: 'suspended', by: 'admin', reason: 'abuse', until: '2030-01-01T00:00:00.000Z' }] }), cognito());
      expect(suspended.blockers).toEqual([
        { kind: 'SUSPENDED', effect: 'refused', message: 'suspended by admin: abuse', fixes: [{ by: 'admin', action: 'reactivate', route: 'POST /api/v1/admin/users/:id/reactivate' }, { by: 'time', action: 'lifted automatically at 2030-01-01T00:00:00.000Z' }] },
      ]);
      const billing = diagnose(gh({ status: 'suspended', blocks: [{ kind: 'suspended', by: 'billing', reason: null, until: null }] }), cognito());
      expect(billing.blockers[0]!.fixes).toEqual([{ by: 'user', action: 'pay (billing lifts its own suspension)' }]);
      expect(codes(diagnose(gh({ status: 'rejected', blocks: [{ kind: 'rejected', by: 'admin', reason: null, until: null }] }), cognito()).blockers)).toEqual(['REJECTED']);
    });

    it('a pending step holds the user (signs in, kept at the step) with the step’s fix; a blocked user shows the block only', () => {
      const d = diagnose(gh({ status: 'pending_approval', waitingFor: 'approval' }), cognito());
      expect(d).toMatchObject({ canSignIn: true, blockers: [{ kind: 'WAITING_FOR_APPROVAL', effect: 'held', fixes: [{ by: 'admin', action: 'approve' }] }] });
      expect(codes(diagnose(gh({ status: 'disabled', waitingFor: 'approval', blocks: [{ kind: 'disabled', by: 'admin', reason: null, until: null }] }), cognito({ enabled: false })).blockers)).toEqual([
        'DISABLED',
        'PROVIDER_DISABLED',
      ]);
    });

    it('the login lockout refuses until it ends, or until a new password restarts the counts', () => {
      const d = diagnose(gh({ lockout: { locked: true, failures: 3, lockedClients: 1, lockedUntil: '2030-01-01T00:15:00.000Z' } }), cognito());
      expect(d.canSignIn).toBe(false);
      expect(d.blockers).toEqual([expect.objectContaining({ kind: 'LOGIN_LOCKED', message: '3 failed sign-ins: 1 client(s) locked out', fixes: [expect.objectContaining({ by: 'time' }), expect.objectContaining({ action: expect.stringMatching(/new password/) })] })]);
    });

    it('provider statuses: RESET_REQUIRED, COMPROMISED and UNCONFIRMED refuse; FORCE_CHANGE_PASSWORD only asks for a new password', () => {
      for (const status of ['RESET_REQUIRED', 'COMPROMISED', 'UNCONFIRMED']) expect(diagnose(gh(), cognito({ status })).canSignIn).toBe(false);
      expect(diagnose(gh(), cognito({ status: 'FORCE_CHANGE_PASSWORD' }))).toMatchObject({ canSignIn: true, blockers: [{ kind: 'PROVIDER_FORCE_CHANGE_PASSWORD', effect: 'info' }] });
    });

    it('the local second-factor lock and an unenrolled required MFA', () => {
      const lock = { ...unlocked, mfaLockedUntil: '2030-01-01T00:15:00.000Z' };
      expect(diagnose(gh(), cognito({ provider: 'local', groups: null, groupRole: null, lock }))).toMatchObject({ canSignIn: false, blockers: [{ kind: 'MFA_LOCKED' }] });
      expect(codes(diagnose(gh({ mfa: { required: true, enrolled: false, method: null } }), cognito()).blockers)).toEqual(['MFA_REQUIRED_NOT_ENROLLED']);
    });
  });
});
