import {
  AdminAddUserToGroupCommand,
  AdminDisableUserCommand,
  AdminSetUserMFAPreferenceCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import jwt, { JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { CognitoLocal, startCognitoLocal } from '../../support/cognito-local';

/**
 * Pins down what the cognito-local emulator does and lacks, so the provider tests know which paths need a mock.
 * If cognito-local gains an operation, the matching "unsupported" expectation fails and the mock can go.
 */
describe('cognito-local harness facts', () => {
  let cl: CognitoLocal;
  const email = 'facts@example.com';
  const password = 'Passw0rd!long';
  let tokens: { AccessToken?: string; IdToken?: string; RefreshToken?: string };

  beforeAll(async () => {
    cl = await startCognitoLocal({ writeAttributes: ['email', 'custom:role'] });
    await cl.client.send(new SignUpCommand({ ClientId: cl.clientId, Username: email, Password: password }));
    await cl.client.send(new ConfirmSignUpCommand({ ClientId: cl.clientId, Username: email, ConfirmationCode: cl.code }));
    await cl.client.send(new AdminAddUserToGroupCommand({ UserPoolId: cl.userPoolId, Username: email, GroupName: 'Admins' }));
    const auth = await cl.client.send(
      new InitiateAuthCommand({ ClientId: cl.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    tokens = auth.AuthenticationResult!;
  });
  afterAll(() => cl?.stop());

  it('listens on a loopback port that is not the default 9229', () => {
    expect(cl.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cl.port).not.toBe(9229);
  });

  it('issues RS256 tokens that verify against <endpoint>/<poolId>/.well-known/jwks.json with iss = <endpoint>/<poolId>', async () => {
    const jwks = new JwksClient({ jwksUri: `${cl.endpoint}/${cl.userPoolId}/.well-known/jwks.json`, cache: false, rateLimit: false });
    const issuer = `${cl.endpoint}/${cl.userPoolId}`;
    for (const token of [tokens.AccessToken!, tokens.IdToken!]) {
      const header = jwt.decode(token, { complete: true })!.header;
      expect(header).toMatchObject({ alg: 'RS256', kid: 'CognitoLocal' });
      const key = await jwks.getSigningKey(header.kid);
      jwt.verify(token, key.getPublicKey(), { algorithms: ['RS256'], issuer });
    }
    const access = jwt.decode(tokens.AccessToken!) as JwtPayload;
    expect(access).toMatchObject({ token_use: 'access', client_id: cl.clientId, 'cognito:groups': ['Admins'], iss: issuer });
    expect(access.aud).toBeUndefined();
    const id = jwt.decode(tokens.IdToken!) as JwtPayload;
    expect(id).toMatchObject({ token_use: 'id', aud: cl.clientId, email, 'cognito:groups': ['Admins'], iss: issuer });
    // cognito-local's ConfirmSignUp does not set email_verified (real Cognito does, with email auto-verified), so
    // Gatehouse mirrors email verification in auth.users instead of trusting this claim.
    expect(id.email_verified).toBe(false);
  });

  it('returns no ExpiresIn with the tokens', async () => {
    const auth = await cl.client.send(
      new InitiateAuthCommand({ ClientId: cl.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    expect(auth.AuthenticationResult?.ExpiresIn).toBeUndefined();
  });

  it('lacks GlobalSignOut, AdminSetUserMFAPreference and ResendConfirmationCode', async () => {
    const unsupported = expect.objectContaining({ message: expect.stringContaining('Cognito Local unsupported feature') });
    await expect(cl.client.send(new GlobalSignOutCommand({ AccessToken: tokens.AccessToken! }))).rejects.toEqual(unsupported);
    await expect(
      cl.client.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: cl.userPoolId, Username: email, SoftwareTokenMfaSettings: { Enabled: true } })),
    ).rejects.toEqual(unsupported);
    await expect(cl.client.send(new ResendConfirmationCodeCommand({ ClientId: cl.clientId, Username: email }))).rejects.toEqual(unsupported);
  });

  it('supports DescribeUserPoolClient and reports WriteAttributes', async () => {
    const out = await cl.client.send(new DescribeUserPoolClientCommand({ UserPoolId: cl.userPoolId, ClientId: cl.clientId }));
    expect(out.UserPoolClient?.WriteAttributes).toContain('custom:role');
  });

  it('wrong password fails with InvalidPasswordException (real Cognito: NotAuthorizedException)', async () => {
    await expect(
      cl.client.send(new InitiateAuthCommand({ ClientId: cl.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: 'nope-nope-1' } })),
    ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
  });

  it('lets a disabled user sign in (real Cognito refuses): Gatehouse must not rely on Cognito for that', async () => {
    await cl.client.send(new AdminDisableUserCommand({ UserPoolId: cl.userPoolId, Username: email }));
    const auth = await cl.client.send(
      new InitiateAuthCommand({ ClientId: cl.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    expect(auth.AuthenticationResult?.AccessToken).toBeDefined();
  });
});
