import { createHmac } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { AppError } from '../../../src/common/errors/app-error';
import type { Principal } from '../../../src/common/principal';
import type { AccountCaller } from '../../../src/auth/providers/auth-provider';
import { Authenticator } from '../../../src/auth/authenticator';
import { AuthService } from '../../../src/auth/auth.service';
import { CognitoAuthProvider } from '../../../src/auth/providers/cognito/cognito-auth.provider';
import { resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import type { UserEntity } from '../../../src/users/user.entity';
import { UsersService } from '../../../src/users/users.service';
import { startServices, TestServices } from '../../support/services';
import { setStatus } from '../../support/user-factory';
import { DataSource } from 'typeorm';

/**
 * Provider paths cognito-local cannot run, with the SDK client mocked (aws-sdk-client-mock) and the real database:
 * - GlobalSignOut and ResendConfirmationCode: cognito-local answers "unsupported";
 * - "VerifySoftwareToken then SetUserMFAPreference": cognito-local's VerifySoftwareToken already enables TOTP, so
 *   only a mock shows the second call is made;
 * - SECRET_HASH: cognito-local never checks it;
 * - SMS_MFA and MFA_SETUP challenges: cognito-local needs SMS plumbing Gatehouse does not configure.
 */
describe('CognitoAuthProvider paths cognito-local lacks (mocked SDK)', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const CLIENT_ID = 'mockclient123';
  const SECRET = 'app-client-secret';
  const POOL = 'local_Mock1';
  const ENDPOINT = 'http://127.0.0.1:9';
  const ISSUER = `${ENDPOINT}/${POOL}`;
  const hmac = (username: string) => createHmac('sha256', SECRET).update(username + CLIENT_ID).digest('base64');
  const ctx = { ip: '127.0.0.1' };
  let t: TestServices;
  let provider: CognitoAuthProvider;
  let users: UsersService;
  let n = 0;

  const awsError = (name: string) => Object.assign(new Error(`${name} text from AWS`), { name, $metadata: {} });
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: AppError) => e.code);
  async function newUser(): Promise<{ user: UserEntity; caller: AccountCaller }> {
    const email = `mocked${++n}@example.com`;
    const { user } = await users.provision({ issuer: ISSUER, subject: `sub-${n}`, authProvider: 'cognito', email, emailVerified: true, fullName: null, role: 'user', organizationId: null });
    await setStatus(t.app.get(DataSource), user.id, 'pending_mfa');
    const principal = { userId: user.id, issuer: ISSUER, subject: user.subject, email, role: 'user', groups: [], organizationId: null, status: user.status, provider: 'cognito', tokenUse: 'access', scopes: [] } as Principal;
    return { user, caller: { principal, accessToken: `access-token-${n}` } };
  }

  beforeAll(async () => {
    t = await startServices(
      { AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: POOL, COGNITO_CLIENT_ID: CLIENT_ID, COGNITO_CLIENT_SECRET: SECRET, COGNITO_ENDPOINT: ENDPOINT, AWS_REGION: 'us-east-1' },
    );
    provider = t.app.get(CognitoAuthProvider);
    users = t.app.get(UsersService);
  });
  beforeEach(() => cognito.reset());
  afterAll(async () => {
    cognito.restore();
    await t?.close();
    resetCognitoClients();
  });

  it('the one Authenticator refuses garbage, never accepts it', async () => {
    expect(await code(t.app.get(Authenticator).authenticate({ token: 'a.b.c', via: 'bearer' }, {}))).toBe('AUTH_TOKEN_INVALID');
  });

  describe('signOut', () => {
    it('calls GlobalSignOut with the caller token and sets the revocation watermark', async () => {
      const { user, caller } = await newUser();
      cognito.on(GlobalSignOutCommand).resolves({});
      const before = Date.now();
      await provider.signOut(caller);
      expect(cognito.commandCalls(GlobalSignOutCommand).map((c) => c.args[0].input)).toEqual([{ AccessToken: caller.accessToken }]);
      const after = (await users.findById(user.id))!;
      expect(after.tokensValidAfter!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    });

    it('keeps the watermark and reports PROVIDER_UNAVAILABLE when Cognito cannot sign out (refresh tokens still live)', async () => {
      const { user, caller } = await newUser();
      cognito.on(GlobalSignOutCommand).rejects(awsError('InternalErrorException'));
      expect(await code(provider.signOut(caller))).toBe('PROVIDER_UNAVAILABLE');
      expect((await users.findById(user.id))!.tokensValidAfter).not.toBeNull();
    });

    it('treats an already-revoked token at Cognito as signed out', async () => {
      const { caller } = await newUser();
      cognito.on(GlobalSignOutCommand).rejects(awsError('NotAuthorizedException'));
      await expect(provider.signOut(caller)).resolves.toBeUndefined();
    });
  });

  describe('resendVerification', () => {
    it('sends ResendConfirmationCode with the SECRET_HASH of the address', async () => {
      cognito.on(ResendConfirmationCodeCommand).resolves({});
      await provider.resendVerification('a@example.com', ctx);
      expect(cognito.commandCalls(ResendConfirmationCodeCommand)[0]!.args[0].input).toEqual({ ClientId: CLIENT_ID, Username: 'a@example.com', SecretHash: hmac('a@example.com') });
    });

    it('answers an unknown or already-confirmed address like success (enumeration-safe)', async () => {
      cognito.on(ResendConfirmationCodeCommand).rejectsOnce(awsError('UserNotFoundException')).rejectsOnce(awsError('InvalidParameterException'));
      await expect(provider.resendVerification('ghost@example.com', ctx)).resolves.toBeUndefined();
      await expect(provider.resendVerification('done@example.com', ctx)).resolves.toBeUndefined();
    });

    it("answers Cognito's throttling like success (only existing users meet it: #20.14) and outages as PROVIDER_UNAVAILABLE", async () => {
      cognito.on(ResendConfirmationCodeCommand).rejectsOnce(awsError('LimitExceededException')).rejectsOnce(new Error('socket hang up'));
      expect(await code(provider.resendVerification('a@example.com', ctx))).toBe('ok');
      expect(await code(provider.resendVerification('a@example.com', ctx))).toBe('PROVIDER_UNAVAILABLE');
    });
  });

  describe('verifyMfaEnrollment', () => {
    it('calls SetUserMFAPreference (TOTP enabled and preferred) after VerifySoftwareToken, then mirrors', async () => {
      const { user, caller } = await newUser();
      cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'SUCCESS' });
      cognito.on(SetUserMFAPreferenceCommand).resolves({});
      await t.app.get(AuthService).verifyMfaEnrollment(caller, '123456');
      expect(cognito.commandCalls(SetUserMFAPreferenceCommand).map((c) => c.args[0].input)).toEqual([
        { AccessToken: caller.accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } },
      ]);
      expect(await users.findById(user.id)).toMatchObject({ mfaMethod: 'totp', status: 'pending_subscription' });
    });

    it('mirrors nothing when SetUserMFAPreference fails (Cognito would never challenge)', async () => {
      const { user, caller } = await newUser();
      cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'SUCCESS' });
      cognito.on(SetUserMFAPreferenceCommand).rejects(awsError('InternalErrorException'));
      expect(await code(t.app.get(AuthService).verifyMfaEnrollment(caller, '123456'))).toBe('PROVIDER_UNAVAILABLE');
      expect(await users.findById(user.id)).toMatchObject({ mfaMethod: null, mfaEnrolledAt: null, status: 'pending_mfa' });
    });

    it('maps EnableSoftwareTokenMFAException and a non-SUCCESS status to MFA_CODE_INVALID', async () => {
      const { caller } = await newUser();
      cognito.on(VerifySoftwareTokenCommand).rejectsOnce(awsError('EnableSoftwareTokenMFAException')).resolvesOnce({ Status: 'ERROR' });
      expect(await code(provider.verifyMfaEnrollment(caller, '1'))).toBe('MFA_CODE_INVALID');
      expect(await code(provider.verifyMfaEnrollment(caller, '1'))).toBe('MFA_CODE_INVALID');
      expect(cognito.commandCalls(SetUserMFAPreferenceCommand)).toHaveLength(0);
    });
  });

  describe('challenges and SECRET_HASH', () => {
    it('login sends SECRET_HASH(email + clientId); an SMS_MFA challenge is answered with USERNAME = USER_ID_FOR_SRP', async () => {
      cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: 'cognito-session', ChallengeParameters: { USER_ID_FOR_SRP: 'the-sub' } });
      const login = await provider.authenticate('sms@example.com', 'pw', ctx);
      expect(cognito.commandCalls(InitiateAuthCommand)[0]!.args[0].input.AuthParameters).toEqual({ USERNAME: 'sms@example.com', PASSWORD: 'pw', SECRET_HASH: hmac('sms@example.com') });
      expect(login).toMatchObject({ kind: 'challenge', challenge: 'SMS_MFA' });
      if (login.kind !== 'challenge') return;

      cognito.on(RespondToAuthChallengeCommand).resolves({ AuthenticationResult: { AccessToken: 'a.b.c', RefreshToken: 'cognito-refresh', ExpiresIn: 300 } });
      const done = await provider.respondToMfaChallenge({ session: login.session, code: '654321' }, ctx);
      expect(cognito.commandCalls(RespondToAuthChallengeCommand)[0]!.args[0].input).toEqual({
        ClientId: CLIENT_ID,
        ChallengeName: 'SMS_MFA',
        Session: 'cognito-session',
        ChallengeResponses: { USERNAME: 'the-sub', SMS_MFA_CODE: '654321', SECRET_HASH: hmac('the-sub') },
      });
      expect(done).toMatchObject({ kind: 'tokens', tokens: { accessToken: 'a.b.c', expiresIn: 300 } });
    });

    it('with a client secret, refresh sends the SECRET_HASH of the Cognito username carried by the refresh token', async () => {
      const sub = 'user-sub-1';
      const access = `x.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.y`;
      cognito
        .on(InitiateAuthCommand)
        .resolvesOnce({ AuthenticationResult: { AccessToken: access, RefreshToken: 'cognito-refresh', ExpiresIn: 60 } })
        .resolvesOnce({ AuthenticationResult: { AccessToken: 'new.access.token', ExpiresIn: 60 } });
      const login = await provider.authenticate('r@example.com', 'pw', ctx);
      if (login.kind !== 'tokens') throw new Error('expected tokens');
      expect(login.tokens.refreshToken).not.toBe('cognito-refresh');
      const refreshed = await provider.refreshToken(login.tokens.refreshToken!, ctx);
      expect(cognito.commandCalls(InitiateAuthCommand)[1]!.args[0].input).toMatchObject({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: 'cognito-refresh', SECRET_HASH: hmac(sub) },
      });
      expect(refreshed).toMatchObject({ accessToken: 'new.access.token', refreshToken: login.tokens.refreshToken });
    });

    it('MFA_SETUP (pool MFA on, no factor yet) is MFA_REQUIRED, never a silent failure', async () => {
      cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'MFA_SETUP', Session: 's' });
      expect(await code(provider.authenticate('setup@example.com', 'pw', ctx))).toBe('MFA_REQUIRED');
    });

    it('SELECT_MFA_TYPE is answered with SOFTWARE_TOKEN_MFA and the TOTP challenge surfaced', async () => {
      cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'SELECT_MFA_TYPE', Session: 's1', ChallengeParameters: { USER_ID_FOR_SRP: 'sub-x' } });
      cognito.on(RespondToAuthChallengeCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's2', ChallengeParameters: { USER_ID_FOR_SRP: 'sub-x' } });
      const login = await provider.authenticate('both@example.com', 'pw', ctx);
      expect(login).toMatchObject({ kind: 'challenge', challenge: 'SOFTWARE_TOKEN_MFA' });
      expect(cognito.commandCalls(RespondToAuthChallengeCommand)[0]!.args[0].input.ChallengeResponses).toMatchObject({ ANSWER: 'SOFTWARE_TOKEN_MFA', USERNAME: 'sub-x' });
    });

    it('SELECT_MFA_TYPE of a suspended user: 403 USER_SUSPENDED, and no factor is chosen at Cognito on their behalf', async () => {
      const { user } = await newUser();
      await setStatus(t.app.get(DataSource), user.id, 'suspended');
      cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'SELECT_MFA_TYPE', Session: 's1', ChallengeParameters: { USER_ID_FOR_SRP: user.subject } });
      cognito.on(RespondToAuthChallengeCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's2', ChallengeParameters: { USER_ID_FOR_SRP: user.subject } });
      expect(await code(provider.authenticate(user.email!, 'pw', ctx))).toBe('USER_SUSPENDED');
      expect(cognito.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
    });

    it('an unreachable Cognito is PROVIDER_UNAVAILABLE with no AWS text in the message', async () => {
      cognito.on(InitiateAuthCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
      const err = (await provider.authenticate('x@example.com', 'pw', ctx).catch((e: AppError) => e)) as AppError;
      expect(err).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 503 });
      expect(err.message).not.toContain('ECONNREFUSED');
      expect(err.detail).toContain('ECONNREFUSED');
    });
  });
});
