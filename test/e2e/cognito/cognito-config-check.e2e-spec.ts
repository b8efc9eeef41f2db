import { CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { resetCognitoClients } from '../../../src/auth/providers/cognito/cognito-client.factory';
import { configCheck } from '../../../src/cli';
import { testConfig } from '../../support/app';
import { COGNITO_LOCAL_KEYS, CognitoLocal, startCognitoLocal } from '../../support/cognito-local';

/** Issue 20.10: config:check says plainly what the pool's public API allows (self sign-up outside Gatehouse's rules). */
describe('config:check and the pool’s public API (cognito-local)', () => {
  let cl: CognitoLocal;
  beforeAll(async () => {
    cl = await startCognitoLocal();
  });
  afterAll(async () => {
    resetCognitoClients();
    await cl?.stop();
  });

  const poolLine = async (env: Record<string, string>) => (await configCheck(testConfig(env), COGNITO_LOCAL_KEYS)).find((r) => r.name === 'cognito pool');

  it('warns when self sign-up is open (AllowAdminCreateUserOnly false), naming the consequence', async () => {
    const line = await poolLine(cl.env);
    expect(line).toMatchObject({ ok: true, warn: true });
    expect(line?.info).toMatch(/self sign-up is OPEN/);
    expect(line?.info).toMatch(/SignUp and ForgotPassword directly/);
  });

  it('says admin-only creation when the pool allows only administrators to create users', async () => {
    const pool = await cl.client.send(
      new CreateUserPoolCommand({ PoolName: 'closed', UsernameAttributes: ['email'], AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } }),
    );
    const app = await cl.client.send(new CreateUserPoolClientCommand({ UserPoolId: pool.UserPool!.Id!, ClientName: 'gatehouse' }));
    const line = await poolLine({ ...cl.env, COGNITO_USER_POOL_ID: pool.UserPool!.Id!, COGNITO_CLIENT_ID: app.UserPoolClient!.ClientId! });
    expect(line).toMatchObject({ ok: true });
    expect(line?.warn).toBeFalsy();
    expect(line?.info).toMatch(/self sign-up is off/);
  });
});
