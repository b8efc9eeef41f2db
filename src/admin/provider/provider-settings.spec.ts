import { loadConfig } from '../../config/load-config';
import { providerSettings } from './provider-settings';

const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/x' };

describe('providerSettings: which settings are present, never their values', () => {
  it('cognito: presence only, secrets included as booleans', () => {
    const { config } = loadConfig({ ...base, AUTH_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: 'us-east-1_Abc', COGNITO_CLIENT_ID: 'cid', COGNITO_CLIENT_SECRET: 'shh-secret' });
    const rows = providerSettings(config, { AWS_SECRET_ACCESS_KEY: 'aws-secret' });
    expect(rows).toEqual(expect.arrayContaining([
      { provider: 'cognito', name: 'COGNITO_CLIENT_SECRET', present: true },
      { provider: 'cognito', name: 'AWS_SECRET_ACCESS_KEY', present: true },
      { provider: 'cognito', name: 'AWS_ACCESS_KEY_ID', present: false },
    ]));
    expect(JSON.stringify(rows)).not.toMatch(/shh-secret|aws-secret|cid/);
  });

  it('a fallback lists the requested provider too, with what it lacked as absent', () => {
    const { config } = loadConfig({ ...base, AUTH_PROVIDER: 'cognito', COGNITO_CLIENT_ID: 'cid' });
    expect(config.auth.fellBack).toEqual({ from: 'cognito', missing: ['COGNITO_USER_POOL_ID'] });
    const rows = providerSettings(config, {});
    expect(rows.filter((r) => r.provider === 'local').length).toBeGreaterThan(0);
    expect(rows).toContainEqual({ provider: 'cognito', name: 'COGNITO_USER_POOL_ID', present: false });
  });
});
