import { AdminAddUserToGroupCommand, AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import jwt, { JwtPayload } from 'jsonwebtoken';
import { totp } from '../../support/totp';
import { AppError } from '../../../src/common/errors/app-error';
import type { Principal } from '../../../src/common/principal';
import type { AccountCaller, AuthResult, TokenSet } from '../../../src/auth/providers/auth-provider';
import { Authenticator } from '../../../src/auth/authenticator';
import { CognitoAdmin } from '../../../src/auth/providers/cognito/cognito-admin.service';
import { AuthService } from '../../../src/auth/auth.service';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import type { UserEntity } from '../../../src/users/user.entity';
import { UsersService } from '../../../src/users/users.service';
import { startServices, TestServices } from '../../support/services';
import { COGNITO_LOCAL_CREDENTIALS } from '../../support/cognito-app';
import { CognitoLocal, startCognitoLocal } from '../../support/cognito-local';

/**
 * The Cognito provider against cognito-local and the real test database: every method is called directly (the
 * HTTP flow is in cognito-http-flow.e2e-spec.ts). Paths cognito-local cannot run (GlobalSignOut, ResendConfirmationCode,
 * AdminSetUserMFAPreference) are in cognito-provider.mocked.int-spec.ts.
 */
describe('CognitoAuthProvider against cognito-local', () => {
  let cl: CognitoLocal;
  let t: TestServices;
  let provider: CognitoAuthProvider;
  /** The provider reports facts; Gatehouse's rules on them (ladder, MFA columns, mfa_required) are AuthService's. */
  let auth: AuthService;
  let users: UsersService;
  let onboarding: OnboardingService;
  const ctx = { ip: '127.0.0.1' };
  const password = 'Correct-horse-1';

  beforeAll(async () => {
    cl = await startCognitoLocal();
    t = await startServices(cl.env, { override: [COGNITO_LOCAL_CREDENTIALS] });
    provider = t.app.get(CognitoAuthProvider);
    auth = t.app.get(AuthService);
    users = t.app.get(UsersService);
    onboarding = t.app.get(OnboardingService);
  });
  afterAll(async () => {
    await t?.close();
    resetCognitoClients();
    await cl?.stop();
  });

  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: AppError) => e.code);
  const tokensOf = (r: AuthResult): TokenSet => {
    if (r.kind !== 'tokens') throw new Error(`expected tokens, got challenge ${r.challenge}`);
    return r.tokens;
  };
  const row = async (email: string): Promise<UserEntity> => (await users.findByEmail(email, 'cognito'))!;
  const callerFor = (user: UserEntity, accessToken: string): AccountCaller => ({
    accessToken,
    principal: { userId: user.id, issuer: user.issuer, subject: user.subject, email: user.email, role: 'user', groups: [], organizationId: null, status: user.status, provider: 'cognito', tokenUse: 'access', scopes: [], authTimeMs: Date.now() } as Principal,
  });
  async function signedUp(email: string): Promise<UserEntity> {
    await provider.register({ email, password, fullName: 'Test User' }, ctx).then(() => provider.whenIdle());
    await auth.confirmEmail(email, cl.code, ctx);
    return row(email);
  }

  it('register creates the Cognito user and the auth.users row (issuer, subject = UserSub, pending_verification)', async () => {
    const email = 'reg@example.com';
    await provider.register({ email, password, fullName: 'Reg' }, ctx).then(() => provider.whenIdle());
    const user = await row(email);
    const cognitoUser = await cl.client.send(new AdminGetUserCommand({ UserPoolId: cl.userPoolId, Username: email }));
    const sub = cognitoUser.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    expect(user).toMatchObject({ issuer: `${cl.endpoint}/${cl.userPoolId}`, subject: sub, authProvider: 'cognito', status: 'pending_verification', emailVerified: false, fullName: 'Reg' });
  });

  it('register is enumeration-safe: a confirmed address answers like a new one and changes nothing', async () => {
    const email = 'twice@example.com';
    const before = await signedUp(email);
    await expect(provider.register({ email, password: 'Other-pass-2' }, ctx)).resolves.toBeUndefined();
    await provider.whenIdle();
    expect((await row(email)).id).toBe(before.id);
    expect((await provider.authenticate(email, password, ctx)).kind).toBe('tokens');
  });

  it('register over an unconfirmed address replaces it (#20.2): a new identity and row, the first password gone', async () => {
    const email = 'replaced@example.com';
    await provider.register({ email, password: 'First-pass-1' }, ctx).then(() => provider.whenIdle());
    const first = await row(email);
    await provider.register({ email, password }, ctx).then(() => provider.whenIdle());
    const second = await row(email);
    expect(second.id).not.toBe(first.id);
    expect(second.subject).not.toBe(first.subject);
    expect(await users.findById(first.id)).toBeNull();
    await auth.confirmEmail(email, cl.code, ctx);
    expect(await code(provider.authenticate(email, 'First-pass-1', ctx))).toBe('AUTH_FAILED');
    expect((await provider.authenticate(email, password, ctx)).kind).toBe('tokens');
  });

  it('refuses login before the email is confirmed with AUTH_FAILED, like a wrong password or unknown user', async () => {
    const email = 'unconfirmed@example.com';
    await provider.register({ email, password }, ctx).then(() => provider.whenIdle());
    expect(await code(provider.authenticate(email, password, ctx))).toBe('AUTH_FAILED');
    expect(await code(provider.authenticate(email, 'Wrong-pass-1', ctx))).toBe('AUTH_FAILED');
    expect(await code(provider.authenticate('nobody@example.com', password, ctx))).toBe('AUTH_FAILED');
  });

  it('confirmEmail: a wrong code is CODE_INVALID; the right one mirrors email_verified and steps to pending_approval', async () => {
    const email = 'confirm@example.com';
    await provider.register({ email, password }, ctx).then(() => provider.whenIdle());
    expect(await code(auth.confirmEmail(email, '000000', ctx))).toBe('CODE_INVALID');
    expect(await row(email)).toMatchObject({ status: 'pending_verification', emailVerified: false });
    await auth.confirmEmail(email, cl.code, ctx);
    expect(await row(email)).toMatchObject({ status: 'pending_approval', emailVerified: true });
    const events = await users.eventsFor((await row(email)).id);
    expect(events.map((e) => e.type)).toContain('status.email_verified');
  });

  it('confirmEmail for an unknown address is CODE_INVALID (no enumeration)', async () => {
    expect(await code(auth.confirmEmail('ghost@example.com', cl.code, ctx))).toBe('CODE_INVALID');
  });

  it('login yields tokens carrying the user groups; refresh yields a new access token', async () => {
    const email = 'login@example.com';
    await signedUp(email);
    await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: email, GroupName: 'Admins' }));
    const tokens = tokensOf(await provider.authenticate(email, password, ctx));
    expect(tokens).toMatchObject({ tokenType: 'Bearer', refreshToken: expect.any(String), idToken: expect.any(String) });
    expect(tokens.expiresIn).toBeGreaterThan(0);
    expect(jwt.decode(tokens.accessToken)).toMatchObject({ token_use: 'access', client_id: cl.clientId, 'cognito:groups': ['Admins'] });
    expect(jwt.decode(tokens.idToken!)).toMatchObject({ token_use: 'id', email, 'cognito:groups': ['Admins'] });

    const refreshed = await provider.refreshToken(tokens.refreshToken!, ctx);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect((jwt.decode(refreshed.accessToken) as JwtPayload).sub).toBe((jwt.decode(tokens.accessToken) as JwtPayload).sub);
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(await code(provider.refreshToken('not-a-refresh-token', ctx))).toBe('REFRESH_TOKEN_INVALID');
  });

  it('refuses login for a user Gatehouse has disabled (cognito-local itself would hand out tokens)', async () => {
    const email = 'blocked@example.com';
    const user = await signedUp(email);
    await onboarding.apply(user.id, 'DISABLED', 'system:test');
    expect(await code(provider.authenticate(email, password, ctx))).toBe('USER_DISABLED');
  });

  it('TOTP: enroll (SetUserMFAPreference included), mirror the columns and the step, then sign in through the challenge', async () => {
    const email = 'mfa@example.com';
    let user = await signedUp(email);
    await onboarding.apply(user.id, 'APPROVED', 'system:test');
    user = await row(email);
    const first = tokensOf(await provider.authenticate(email, password, ctx));
    const caller = callerFor(user, first.accessToken);

    const enrollment = await provider.startMfaEnrollment(caller);
    expect(enrollment.secret).toMatch(/^[A-Z2-7]+=*$/);
    expect(enrollment.otpauthUrl).toBe(`otpauth://totp/${encodeURIComponent(`Gatehouse:${email}`)}?secret=${enrollment.secret}&issuer=Gatehouse`);

    expect(await code(auth.verifyMfaEnrollment(caller, '000000'))).toBe('MFA_CODE_INVALID');
    expect((await row(email)).mfaMethod).toBeNull();
    await auth.verifyMfaEnrollment(caller, totp(enrollment.secret));
    const enrolled = await row(email);
    expect(enrolled).toMatchObject({ mfaMethod: 'totp', status: 'pending_subscription' });
    expect(enrolled.mfaEnrolledAt).toBeInstanceOf(Date);

    const login = await provider.authenticate(email, password, ctx);
    expect(login).toMatchObject({ kind: 'challenge', challenge: 'SOFTWARE_TOKEN_MFA', session: expect.any(String) });
    if (login.kind !== 'challenge') return;
    expect(await code(provider.respondToMfaChallenge({ session: login.session, code: '000000' }, ctx))).toBe('MFA_CODE_INVALID');
    expect(await code(provider.respondToMfaChallenge({ session: 'garbage', code: '000000' }, ctx))).toBe('MFA_SESSION_INVALID');
    expect(await code(provider.respondToMfaChallenge({ session: login.session, code: '000000', email: 'someone-else@example.com' }, ctx))).toBe('MFA_SESSION_INVALID');
    const done = await provider.respondToMfaChallenge({ session: login.session, code: totp(enrollment.secret), email }, ctx);
    expect(jwt.decode(tokensOf(done).accessToken)).toMatchObject({ token_use: 'access', sub: enrolled.subject });
  });

  it('disableMfa is refused while mfa_required, then turns TOTP off at Cognito and clears the mirror', async () => {
    const email = 'mfa-off@example.com';
    const user = await signedUp(email);
    const caller = callerFor(user, tokensOf(await provider.authenticate(email, password, ctx)).accessToken);
    const { secret } = await provider.startMfaEnrollment(caller);
    await auth.verifyMfaEnrollment(caller, totp(secret));
    await users.updateProfile(user.id, { mfaRequired: true });

    await expect(auth.disableMfa(caller)).rejects.toMatchObject({ code: 'MFA_REQUIRED_BY_ADMIN', status: 409 });
    expect((await provider.authenticate(email, password, ctx)).kind).toBe('challenge');

    await users.updateProfile(user.id, { mfaRequired: false });
    await auth.disableMfa(caller);
    expect(await row(email)).toMatchObject({ mfaMethod: null, mfaEnrolledAt: null });
    expect((await provider.authenticate(email, password, ctx)).kind).toBe('tokens');
  });

  it('password reset: enumeration-safe request; wrong code CODE_INVALID; right code sets the password, password_reset_at and the watermark', async () => {
    const email = 'reset@example.com';
    await signedUp(email);
    await expect(provider.requestPasswordReset('nobody-here@example.com', ctx)).resolves.toBeUndefined();
    await provider.requestPasswordReset(email, ctx);
    expect(await code(provider.confirmPasswordReset({ email, code: '999999', newPassword: 'New-password-2' }, ctx))).toBe('CODE_INVALID');
    expect(await row(email)).toMatchObject({ passwordResetAt: null, tokensValidAfter: null });

    const before = Date.now();
    await provider.confirmPasswordReset({ email, code: cl.code, newPassword: 'New-password-2' }, ctx);
    const after = await row(email);
    expect(after.passwordResetAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(after.tokensValidAfter!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await code(provider.authenticate(email, password, ctx))).toBe('AUTH_FAILED');
    expect((await provider.authenticate(email, 'New-password-2', ctx)).kind).toBe('tokens');
  });

  it('NEW_PASSWORD_REQUIRED for an admin-created user is surfaced as a challenge and answered with the new password', async () => {
    const email = 'invited@example.com';
    const admin = t.app.get(CognitoAdmin);
    const created = await admin.createUser({ email, temporaryPassword: 'Temp-pass-1', suppressInvite: true });
    expect(created).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD', userId: expect.any(String) });
    const login = await provider.authenticate(email, 'Temp-pass-1', ctx);
    expect(login).toMatchObject({ kind: 'challenge', challenge: 'NEW_PASSWORD_REQUIRED' });
    if (login.kind !== 'challenge') return;
    const done = await provider.respondToMfaChallenge({ session: login.session, code: 'Chosen-pass-3', challenge: 'NEW_PASSWORD_REQUIRED' }, ctx);
    expect(done.kind).toBe('tokens');
    expect((await provider.authenticate(email, 'Chosen-pass-3', ctx)).kind).toBe('tokens');
  });

  it('a Cognito access token goes through the one Authenticator (JWKS signature, issuer, client_id, principal resolver)', async () => {
    const email = 'validate@example.com';
    const user = await signedUp(email);
    const { accessToken } = tokensOf(await provider.authenticate(email, password, ctx));
    const authenticator = t.app.get(Authenticator);
    const rules = { allowStatus: [user.status] };
    await expect(authenticator.authenticate({ token: accessToken, via: 'bearer' }, rules)).resolves.toMatchObject({ userId: user.id, subject: user.subject, provider: 'cognito' });
    await expect(authenticator.authenticate({ token: accessToken.slice(0, -4) + 'AAAA', via: 'bearer' }, rules)).rejects.toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('isAvailable is true with pool and client configured', async () => {
    await expect(provider.isAvailable()).resolves.toBe(true);
  });
});
