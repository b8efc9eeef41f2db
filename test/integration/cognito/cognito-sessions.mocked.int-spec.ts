import {
  AdminGetUserCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError } from '../../../src/common/errors/app-error';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { OnboardingService } from '../../../src/users/onboarding/onboarding.service';
import { UsersService } from '../../../src/users/users.service';
import { startServices, TestServices } from '../../support/services';
import { setStatus } from '../../support/user-factory';
import { waitFor } from '../../support/wait-for';
import { DataSource } from 'typeorm';

/**
 * Issue #20 items that need answers cognito-local cannot give, with the SDK client mocked (aws-sdk-client-mock) and
 * the real database: AdminUserGlobalSignOut (cognito-local lacks it), refreshed tokens that keep `auth_time`
 * (cognito-local resets it), ExpiredCodeException / LimitExceededException (cognito-local never sends them),
 * ResendConfirmationCode (lacking), a pool password policy (cognito-local never enforces one), and Cognito calls
 * held open to show what the answer does not wait for.
 */
describe('Cognito sessions and enumeration (mocked SDK)', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const POOL = 'local_Mock2';
  const ENDPOINT = 'http://127.0.0.1:9';
  const ISSUER = `${ENDPOINT}/${POOL}`;
  const ctx = { ip: '127.0.0.1' };
  let t: TestServices;
  let provider: CognitoAuthProvider;
  let users: UsersService;
  let n = 0;

  const awsError = (name: string) => Object.assign(new Error(`${name} text from AWS`), { name, $metadata: {} });
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: AppError) => e.code);
  const jwtLike = (claims: Record<string, unknown>) => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`;
  const idle = () => (provider as unknown as { whenIdle?: () => Promise<void> }).whenIdle?.();
  async function newUser(status: 'active' | 'pending_approval' = 'active') {
    const sub = `msub-${++n}`;
    const email = `msess${n}@example.com`;
    const { user } = await users.provision({ issuer: ISSUER, subject: sub, authProvider: 'cognito', email, emailVerified: true, fullName: null, role: 'user', organizationId: null });
    await setStatus(t.app.get(DataSource), user.id, status);
    return { user, sub, email };
  }

  beforeAll(async () => {
    t = await startServices({ AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: 'mockclient', COGNITO_ENDPOINT: ENDPOINT, AWS_REGION: 'us-east-1' });
    provider = t.app.get(CognitoAuthProvider);
    users = t.app.get(UsersService);
  });
  beforeEach(() => {
    cognito.reset();
    // No password policy known unless a test says so.
    cognito.on(DescribeUserPoolCommand).rejects(awsError('NotAuthorizedException'));
  });
  afterAll(async () => {
    cognito.restore();
    await t?.close();
    resetCognitoClients();
  });

  describe('#20.1', () => {
    it('refresh: Cognito keeps auth_time; a session that began before the watermark is refused', async () => {
      const { user, sub } = await newUser();
      const startS = Math.floor(Date.now() / 1000) - 120;
      await users.revokeTokens(user.id, 'system:test', 'sign_out');
      const nowS = Math.floor(Date.now() / 1000) + 1;
      cognito.on(InitiateAuthCommand).resolves({ AuthenticationResult: { AccessToken: jwtLike({ sub, iat: nowS, auth_time: startS }), ExpiresIn: 300 } });
      // A plain Cognito refresh token (one Gatehouse did not wrap): only the new token's auth_time tells the session's age.
      expect(await code(provider.refreshToken('plain-cognito-refresh-token', ctx))).toBe('REFRESH_TOKEN_INVALID');
    });

    it('suspension and disable driven by Gatehouse call AdminUserGlobalSignOut for the identity', async () => {
      cognito.on(AdminUserGlobalSignOutCommand).resolves({});
      const a = await newUser();
      const b = await newUser();
      await t.app.get(OnboardingService).apply(a.user.id, 'SUSPENDED', 'admin:test');
      await t.app.get(OnboardingService).apply(b.user.id, 'DISABLED', 'admin:test');
      await idle();
      const calls = () => cognito.commandCalls(AdminUserGlobalSignOutCommand).map((c) => c.args[0].input);
      await waitFor(() => calls().length >= 2, { timeoutMs: 1_000, what: 'two AdminUserGlobalSignOut calls' });
      expect(calls()).toEqual(expect.arrayContaining([{ UserPoolId: POOL, Username: a.sub }, { UserPoolId: POOL, Username: b.sub }]));
    });
  });

  // The policy test comes first: the provider keeps the pool's policy (or its absence) for a while.
  describe('#20.5 / #9 enumeration on the code endpoints', () => {
    it('password reset: the pool policy is checked before any Cognito call; unknown user, wrong code and a policy miss at Cognito look alike', async () => {
      cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: POOL, Policies: { PasswordPolicy: { MinimumLength: 12, RequireNumbers: true } } } });
      expect(await code(provider.confirmPasswordReset({ email: 'known@example.com', code: '123456', newPassword: 'short' }, ctx))).toBe('PASSWORD_POLICY');
      expect(await code(provider.confirmPasswordReset({ email: 'ghost@example.com', code: '123456', newPassword: 'no-digits-here-at-all' }, ctx))).toBe('PASSWORD_POLICY');
      expect(cognito.commandCalls(ConfirmForgotPasswordCommand)).toHaveLength(0);

      cognito
        .on(ConfirmForgotPasswordCommand)
        .rejectsOnce(awsError('UserNotFoundException'))
        .rejectsOnce(awsError('CodeMismatchException'))
        .rejectsOnce(awsError('InvalidPasswordException'));
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await code(provider.confirmPasswordReset({ email: 'e@example.com', code: '123456', newPassword: 'Long-enough-pass-1' }, ctx)));
      expect(answers).toEqual(['CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID']);
    });

    it('ExpiredCodeException answers CODE_INVALID on confirm-email and password reset (it only happens for existing users)', async () => {
      cognito.on(ConfirmSignUpCommand).rejects(awsError('ExpiredCodeException'));
      cognito.on(ConfirmForgotPasswordCommand).rejects(awsError('ExpiredCodeException'));
      expect(await code(provider.confirmEmail('x@example.com', '123456', ctx))).toBe('CODE_INVALID');
      expect(await code(provider.confirmPasswordReset({ email: 'x@example.com', code: '123456', newPassword: 'Strong-pass-12' }, ctx))).toBe('CODE_INVALID');
    });
  });

  describe('#20.6 register answers before the per-account work', () => {
    it('new and existing addresses: register resolves while SignUp is still in flight (the same answer, whatever Cognito does)', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let signUps = 0;
      cognito.on(SignUpCommand).callsFake(async (input: { Username: string }) => {
        signUps++;
        await gate;
        if (input.Username === 'taken@example.com') throw awsError('UsernameExistsException');
        return { UserSub: `sub-${input.Username}`, UserConfirmed: false };
      });
      cognito.on(AdminGetUserCommand).resolves({ Username: 'sub-taken', UserStatus: 'CONFIRMED', UserAttributes: [{ Name: 'sub', Value: 'sub-taken' }, { Name: 'email', Value: 'taken@example.com' }] });
      const outcome = async (email: string) => {
        const p = provider.register({ email, password: 'Long-enough-pass-1' }, ctx);
        const settledFirst = await Promise.race([p.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 200))]);
        return settledFirst;
      };
      expect(await outcome('fresh@example.com')).toBe('answered');
      expect(await outcome('taken@example.com')).toBe('answered');
      expect(signUps).toBe(2);
      release();
      await idle();
    });
  });

  describe('#20.11 the challenge session', () => {
    it('a session Gatehouse did not seal never reaches Cognito', async () => {
      cognito.on(RespondToAuthChallengeCommand).resolves({ AuthenticationResult: { AccessToken: jwtLike({ sub: 'victim' }) } });
      const forged = 'cgc1.' + Buffer.from(JSON.stringify({ u: 'victim', e: 'v@example.com', c: 'SOFTWARE_TOKEN_MFA', s: 'x' })).toString('base64url');
      expect(await code(provider.respondToMfaChallenge({ session: forged, code: '123456' }, ctx))).toBe('MFA_SESSION_INVALID');
      expect(cognito.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
    });

    it('a sealed session is bound to the address it was issued for', async () => {
      cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'cognito-session', ChallengeParameters: { USER_ID_FOR_SRP: 'sub-z' } });
      const login = await provider.authenticate('bound@example.com', 'pw', ctx);
      if (login.kind !== 'challenge') throw new Error('expected a challenge');
      expect(login.session).not.toContain('cognito-session');
      expect(await code(provider.respondToMfaChallenge({ session: login.session, code: '123456', email: 'other@example.com' }, ctx))).toBe('MFA_SESSION_INVALID');
      expect(cognito.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
    });
  });

  describe('#20.14 LimitExceededException is no oracle on forgot / resend', () => {
    it('answers like success (the same 202) when Cognito throttles an existing user', async () => {
      cognito.on(ForgotPasswordCommand).rejects(awsError('LimitExceededException'));
      cognito.on(ResendConfirmationCodeCommand).rejects(awsError('LimitExceededException'));
      await expect(provider.requestPasswordReset('busy@example.com', ctx)).resolves.toBeUndefined();
      await expect(provider.resendVerification('busy@example.com', ctx)).resolves.toBeUndefined();
    });
  });
});
