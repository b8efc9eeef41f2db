import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsLoadError, applySecretsManager } from './secrets-manager';

describe('applySecretsManager', () => {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const sm = mockClient(client);
  beforeEach(() => {
    sm.reset();
    sm.on(ListSecretsCommand)
      .resolvesOnce({ SecretList: [{ Name: 'gatehouse/prod/bundle' }], NextToken: 'p2' })
      .resolvesOnce({ SecretList: [{ Name: 'gatehouse/prod/JWT_SECRET_KEY' }, { Name: 'other/gatehouse/prod/X' }] });
    sm.on(GetSecretValueCommand, { SecretId: 'gatehouse/prod/bundle' }).resolves({
      SecretString: JSON.stringify({ DATABASE_URL: 'postgres://from-secret', COGNITO_CLIENT_SECRET: 's3cret', lower_case: 'no', NODE_ENV: 'development', NUM: 5 }),
    });
    sm.on(GetSecretValueCommand, { SecretId: 'gatehouse/prod/JWT_SECRET_KEY' }).resolves({ SecretString: 'k'.repeat(40) });
  });
  afterAll(() => sm.restore());

  it('does nothing unless USE_SECRETS_MANAGER=true', async () => {
    const env = { DATABASE_URL: 'x' };
    expect(await applySecretsManager(env, { client })).toEqual({ loaded: [] });
    expect(sm.calls()).toHaveLength(0);
  });

  it('merges JSON and single-value secrets under the prefix, across pages; the real environment wins', async () => {
    const env: Record<string, string | undefined> = { USE_SECRETS_MANAGER: 'true', AWS_SECRETS_REGION: 'eu-west-1', SECRETS_PREFIX: 'gatehouse/prod/', DATABASE_URL: 'postgres://real-env', NODE_ENV: 'production' };
    const { loaded } = await applySecretsManager(env, { client });
    expect(loaded).toEqual(['COGNITO_CLIENT_SECRET', 'JWT_SECRET_KEY']);
    expect(env).toMatchObject({ DATABASE_URL: 'postgres://real-env', COGNITO_CLIENT_SECRET: 's3cret', JWT_SECRET_KEY: 'k'.repeat(40), NODE_ENV: 'production' });
    expect(env.lower_case).toBeUndefined();
    expect(env.NUM).toBeUndefined();
    expect(env.X).toBeUndefined();
    expect(sm.commandCalls(ListSecretsCommand)[0]!.args[0].input.Filters).toEqual([{ Key: 'name', Values: ['gatehouse/prod/'] }]);
    expect(sm.commandCalls(ListSecretsCommand)[1]!.args[0].input.NextToken).toBe('p2');
  });

  it('fails loudly, without secret text, when the secrets cannot be read', async () => {
    sm.reset();
    sm.on(ListSecretsCommand).rejects(Object.assign(new Error('User is not authorized to perform secretsmanager:ListSecrets'), { name: 'AccessDeniedException' }));
    const env = { USE_SECRETS_MANAGER: 'true', AWS_SECRETS_REGION: 'eu-west-1', SECRETS_PREFIX: 'gatehouse/prod/' };
    await expect(applySecretsManager(env, { client })).rejects.toThrow(SecretsLoadError);
    await expect(applySecretsManager(env, { client })).rejects.toThrow(/AccessDeniedException/);
  });

  it('needs a region', async () => {
    await expect(applySecretsManager({ USE_SECRETS_MANAGER: 'true' }, { client })).rejects.toThrow(/AWS_SECRETS_REGION/);
  });
});
