import { randomUUID } from 'node:crypto';
import { AUTH_PROVIDER, type AuthProvider } from '../../src/auth/providers/auth-provider';
import { startTestApp, TestApp } from '../support/app';
import { JsonClient } from '../support/http';
import { JwksIssuer } from '../support/jwks-issuer';

/**
 * Issue #19.7: providers are split by capability. The OIDC provider has neither password accounts nor second factors
 * (it implements only sign-out), and AuthService answers 501 NOT_SUPPORTED for a missing capability in one place,
 * for anonymous and authenticated endpoints alike, before any other work.
 */
describe('provider capabilities: OIDC offers no passwords and no second factors (501 from AuthService)', () => {
  const issuer = new JwksIssuer('oidc_caps');
  const AUDIENCE = 'gatehouse-api';
  let t: TestApp;
  let api: JsonClient;

  beforeAll(async () => {
    await issuer.start();
    t = await startTestApp({ AUTH_PROVIDER: 'oidc', OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URI: `${issuer.issuer}/.well-known/jwks.json` });
    api = new JsonClient(t.url);
  });
  afterAll(async () => {
    await t?.close();
    await issuer.stop();
  });

  const token = () => {
    const now = Math.floor(Date.now() / 1000);
    return issuer.sign({ iss: issuer.issuer, sub: `partner-${randomUUID()}`, aud: AUDIENCE, iat: now, exp: now + 600, email: `${randomUUID()}@partner.example`, email_verified: true });
  };
  const notSupported = { error: expect.objectContaining({ code: 'NOT_SUPPORTED' }) };

  it('the OIDC provider implements sign-out only: no password-account or second-factor capability, no stubs', () => {
    const provider = t.app.get<AuthProvider>(AUTH_PROVIDER);
    expect(provider.name).toBe('oidc');
    expect([provider.passwords, provider.mfa]).toEqual([undefined, undefined]);
    for (const stub of ['authenticate', 'register', 'refreshToken', 'confirmEmail', 'verifyMfaEnrollment', 'disableMfa']) expect(stub in provider).toBe(false);
  });

  it.each([
    ['/api/v1/auth/register', { email: 'a@example.com', password: 'Correct-horse-1' }],
    ['/api/v1/auth/login', { email: 'a@example.com', password: 'Correct-horse-1' }],
    ['/api/v1/auth/refresh', { refreshToken: 'x'.repeat(40) }],
    ['/api/v1/auth/confirm-email', { email: 'a@example.com', code: '123456' }],
    ['/api/v1/auth/password/forgot', { email: 'a@example.com' }],
    ['/api/v1/auth/password/reset', { email: 'a@example.com', code: '123456', newPassword: 'Correct-horse-2' }],
  ])('POST %s answers 501 NOT_SUPPORTED', async (path, body) => {
    const res = await api.post(path, body);
    expect([res.status, res.body]).toEqual([501, notSupported]);
  });

  it('the second-factor endpoints answer 501 to an authenticated OIDC user; sign-out (Gatehouse’s watermark) works', async () => {
    const access = token();
    expect((await api.get('/api/v1/users/me', access)).status).toBe(200);
    for (const [path, body] of [
      ['/api/v1/auth/mfa/enroll', {}],
      ['/api/v1/auth/mfa/verify', { code: '123456' }],
      ['/api/v1/auth/mfa/recovery-codes', { code: '123456' }],
    ] as const) {
      const res = await api.post(path, body, access);
      expect([path, res.status, res.body]).toEqual([path, 501, notSupported]);
    }
    const del = await api.call('DELETE', '/api/v1/auth/mfa', { token: access, body: {} });
    expect([del.status, del.body]).toEqual([501, notSupported]);
    expect((await api.post('/api/v1/auth/sign-out', {}, access)).status).toBeLessThan(300);
    expect((await api.get('/api/v1/users/me', access)).body).toMatchObject({ error: { code: 'AUTH_TOKEN_REVOKED' } });
  });
});
