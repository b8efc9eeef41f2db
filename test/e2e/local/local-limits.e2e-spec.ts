import { hash } from '@node-rs/argon2';
import { DataSource } from 'typeorm';
import { AUTH_PROVIDER, AuthProvider } from '../../../src/auth/providers/auth-provider';
import { loadConfig, ConfigError } from '../../../src/config/load-config';
import { startTestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { LocalApp, startLocalApp } from '../../support/local-app';
import { SmtpCapture } from '../../support/smtp-capture';

const PASSWORD = 'correct horse battery staple';

/** Codes, policies and limits of the local provider, through HTTP with real mail. */
describe('local provider: codes, password policy and limits', () => {
  let fixture: LocalApp;
  let smtp: SmtpCapture;
  let api: JsonClient;
  let db: DataSource;
  let n = 0;

  beforeAll(async () => {
    fixture = await startLocalApp({ RATE_LIMIT_AUTH_PER_MINUTE: '100000', LOGIN_MAX_ATTEMPTS: '3' });
    ({ smtp, api, db } = fixture);
  });
  afterAll(() => fixture?.close());

  const email = () => `limits${++n}.${Date.now()}@example.com`;
  const codeFrom = async (to: string, subject: RegExp) => /code is (\d{6})/.exec((await smtp.waitFor(to, (m) => subject.test(m.subject))).text)![1]!;
  const register = async (address: string, password = PASSWORD) => {
    const res = await api.post('/api/v1/auth/register', { email: address, password });
    expect(res.status).toBe(202);
    return codeFrom(address, /verification code/);
  };
  const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  describe('mailed codes', () => {
    it('a code works once; a second use is CODE_INVALID', async () => {
      const address = email();
      const code = await register(address);
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).status).toBe(200);
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
    });

    it('an expired code is CODE_EXPIRED (only for the right code) and changes nothing', async () => {
      const address = email();
      const code = await register(address);
      await db.query(`UPDATE auth.local_codes SET expires_at = now() - interval '1 second' WHERE address = $1`, [address]);
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: other(code) })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).body).toMatchObject({ error: { code: 'CODE_EXPIRED' } });
      expect(((await db.query(`SELECT status FROM auth.users WHERE email = $1`, [address])) as Array<{ status: string }>)[0]!.status).toBe('pending_verification');
    });

    it('five wrong guesses burn the code: the right one no longer works, a resent one does', async () => {
      const address = email();
      const code = await register(address);
      for (let i = 0; i < 5; i++) expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: other(code) })).status).toBe(400);
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
      smtp.clear();
      expect((await api.post('/api/v1/auth/resend-verification', { email: address })).status).toBe(202);
      const fresh = await codeFrom(address, /verification code/);
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: fresh })).status).toBe(200);
    });

    it('a resent code replaces the earlier one', async () => {
      const address = email();
      const first = await register(address);
      smtp.clear();
      await api.post('/api/v1/auth/resend-verification', { email: address });
      const second = await codeFrom(address, /verification code/);
      if (first !== second) expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: first })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
      expect((await api.post('/api/v1/auth/confirm-email', { email: address, code: second })).status).toBe(200);
    });

    it('codes are stored hashed, never in clear', async () => {
      const address = email();
      const code = await register(address);
      const rows = JSON.stringify(await db.query(`SELECT * FROM auth.local_codes WHERE address = $1`, [address]));
      expect(rows).not.toContain(code);
    });

    it('a code is bound to its address: the code of one account does not verify another', async () => {
      const a = email();
      const b = email();
      const codeA = await register(a);
      await register(b);
      expect((await api.post('/api/v1/auth/confirm-email', { email: b, code: codeA })).body).toMatchObject({ error: { code: 'CODE_INVALID' } });
    });
  });

  describe('password policy', () => {
    it('short passwords are PASSWORD_POLICY with the minimum; too-long bodies are refused before hashing', async () => {
      const short = await api.post('/api/v1/auth/register', { email: email(), password: 'short7!' });
      expect(short.status).toBe(400);
      expect(short.body).toMatchObject({ error: { code: 'PASSWORD_POLICY', minLength: 8 } });
      const huge = await api.post('/api/v1/auth/register', { email: email(), password: 'x'.repeat(5000) });
      expect(huge.status).toBe(400);
      expect(huge.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      const same = 'same.as.address@example.com';
      expect((await api.post('/api/v1/auth/register', { email: same, password: same })).body).toMatchObject({ error: { code: 'PASSWORD_POLICY' } });
      expect(await db.query(`SELECT 1 FROM auth.users WHERE email = $1`, [same])).toEqual([]);
    });

    it('a long passphrase is accepted whole (a change in its last character fails)', async () => {
      const address = email();
      const pass = `${'long passphrase '.repeat(40)}end`;
      const code = await register(address, pass);
      await api.post('/api/v1/auth/confirm-email', { email: address, code });
      expect((await api.post('/api/v1/auth/login', { email: address, password: pass })).status).toBe(200);
      expect((await api.post('/api/v1/auth/login', { email: address, password: `${pass.slice(0, -1)}x` })).status).toBe(401);
    });

    it('a hash made with weaker parameters is upgraded at the next good login', async () => {
      const address = email();
      const code = await register(address);
      await api.post('/api/v1/auth/confirm-email', { email: address, code });
      const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
      await db.query(`UPDATE auth.local_credentials c SET password_hash = $2 FROM auth.users u WHERE u.id = c.user_id AND u.email = $1`, [address, weak]);
      expect((await api.post('/api/v1/auth/login', { email: address, password: PASSWORD })).status).toBe(200);
      const [{ password_hash: now }] = (await db.query(
        `SELECT password_hash FROM auth.local_credentials c JOIN auth.users u ON u.id = c.user_id WHERE u.email = $1`,
        [address],
      )) as Array<{ password_hash: string }>;
      expect(now).not.toBe(weak);
      expect(now).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });
  });

  describe('rate limits', () => {
    it('locks an account after LOGIN_MAX_ATTEMPTS tries, even with the right password; a reset lifts it', async () => {
      const address = email();
      const code = await register(address);
      await api.post('/api/v1/auth/confirm-email', { email: address, code });
      for (let i = 0; i < 3; i++) expect((await api.post('/api/v1/auth/login', { email: address, password: 'wrong password!' })).status).toBe(401);
      const locked = await api.post('/api/v1/auth/login', { email: address, password: PASSWORD });
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

      // The lockout never blocks the way back in.
      expect((await api.post('/api/v1/auth/password/forgot', { email: address })).status).toBe(202);
      const resetCode = await codeFrom(address, /password reset/);
      expect((await api.post('/api/v1/auth/password/reset', { email: address, code: resetCode, newPassword: 'a brand new passphrase' })).status).toBe(200);
      expect((await api.post('/api/v1/auth/login', { email: address, password: 'a brand new passphrase' })).status).toBe(200);
    });

    it('locks unknown addresses the same way (the lockout does not reveal accounts)', async () => {
      const ghost = email();
      for (let i = 0; i < 3; i++) expect((await api.post('/api/v1/auth/login', { email: ghost, password: 'whatever it is' })).status).toBe(401);
      expect((await api.post('/api/v1/auth/login', { email: ghost, password: 'whatever it is' })).body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    });

    it('limits requests per IP on the credential endpoints (RATE_LIMIT_AUTH_PER_MINUTE)', async () => {
      // The shared per-IP budget alone (the per-route one on password/* is raised out of the way; see client-address.e2e-spec).
      const tight = await startTestApp({ SMTP_URL: smtp.url, RATE_LIMIT_AUTH_PER_MINUTE: '5', RATE_LIMIT_AUTH_SENSITIVE_PER_MINUTE: '100' });
      try {
        const client = new JsonClient(tight.url);
        const answers = [];
        for (let i = 0; i < 7; i++) answers.push(await client.post('/api/v1/auth/password/forgot', { email: email() }));
        expect(answers.slice(0, 5).map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
        expect(answers[5]!.status).toBe(429);
        expect(answers[5]!.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
        expect(Number(answers[5]!.headers.get('retry-after'))).toBeGreaterThan(0);
        // Other routes are not counted against the credential budget.
        expect((await client.get('/health')).status).toBe(200);
      } finally {
        await tight.close();
      }
    });
  });
});

describe('provider choice and the fallback rules', () => {
  it('a half-configured provider falls back to local with a warning outside production', () => {
    const { config, warnings } = loadConfig({ NODE_ENV: 'development', AUTH_PROVIDER: 'cognito' });
    expect(config.auth.provider).toBe('local');
    expect(warnings.join('\n')).toMatch(/AUTH_PROVIDER=cognito needs COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID; falling back to AUTH_PROVIDER=local/);
  });

  it('…and stops start-up in production, naming what is missing', () => {
    const env = { NODE_ENV: 'production', AUTH_PROVIDER: 'oidc', PUBLIC_URL: 'https://gh.example', DATABASE_URL: 'postgres://x@db/x' };
    try {
      loadConfig(env);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toMatch(/OIDC_ISSUER is required when AUTH_PROVIDER=oidc/);
    }
  });

  it('the app binds the provider config chose, and it reports itself available', async () => {
    const app = await startTestApp({ AUTH_PROVIDER: 'cognito' });
    try {
      const provider = app.app.get<AuthProvider>(AUTH_PROVIDER);
      expect(provider.name).toBe('local');
      expect(await provider.isAvailable()).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('an OIDC deployment validates tokens only: password flows answer NOT_SUPPORTED (501)', async () => {
    const app = await startTestApp({ AUTH_PROVIDER: 'oidc', OIDC_ISSUER: 'http://127.0.0.1:9/issuer', OIDC_AUDIENCE: 'gatehouse-api', OIDC_JWKS_URI: 'http://127.0.0.1:9/jwks' });
    try {
      const client = new JsonClient(app.url);
      const res = await client.post('/api/v1/auth/login', { email: 'a@example.com', password: PASSWORD });
      expect(res.status).toBe(501);
      expect(res.body).toMatchObject({ error: { code: 'NOT_SUPPORTED' } });
      expect(app.app.get<AuthProvider>(AUTH_PROVIDER).name).toBe('oidc');
      // No local keys are served when the local provider is not active.
      expect((await client.get('/.well-known/jwks.json')).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
