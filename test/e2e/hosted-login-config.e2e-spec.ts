import request from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { JwksIssuer } from '../support/jwks-issuer';

const DOMAIN = 'https://gatehouse-test.auth.us-east-1.amazoncognito.com';
const FRONTEND = 'https://app.example.com/';

describe('hosted login per provider', () => {
  const cognito = new JwksIssuer('local_hosted');
  beforeAll(() => cognito.start());
  afterAll(() => cognito.stop());

  describe('Cognito with COGNITO_DOMAIN', () => {
    let gh: TestApp;
    beforeAll(async () => {
      gh = await startTestApp({
        AUTH_PROVIDER: 'cognito',
        COGNITO_ENDPOINT: cognito.base,
        COGNITO_USER_POOL_ID: cognito.pool,
        COGNITO_CLIENT_ID: 'hosted-client',
        COGNITO_DOMAIN: DOMAIN,
        COGNITO_SCOPES: 'openid email',
        PUBLIC_URL: 'https://gh.example.com',
        FRONTEND_URL: FRONTEND,
        SESSION_SECRET: 'session-secret-for-the-hosted-login-tests-0123456789',
      });
    });
    afterAll(() => gh.close());

    it("sends the browser to the Hosted UI's authorize endpoint with PKCE, state, nonce and COGNITO_SCOPES", async () => {
      const res = await request(gh.url).get('/api/v1/auth/hosted/login').expect(302);
      const url = new URL(res.headers.location!);
      expect(`${url.origin}${url.pathname}`).toBe(`${DOMAIN}/oauth2/authorize`);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        client_id: 'hosted-client',
        response_type: 'code',
        scope: 'openid email',
        redirect_uri: 'https://gh.example.com/api/v1/auth/hosted/callback',
        code_challenge_method: 'S256',
      });
      expect(url.searchParams.get('state')).toBeTruthy();
      expect(url.searchParams.get('nonce')).toBeTruthy();
    });

    it("logout returns Cognito's logout URL with client_id and logout_uri", async () => {
      const res = await request(gh.url).post('/api/v1/auth/logout').expect(200);
      const url = new URL(res.body.logoutUrl);
      expect(`${url.origin}${url.pathname}`).toBe(`${DOMAIN}/logout`);
      expect(url.searchParams.get('client_id')).toBe('hosted-client');
      expect(url.searchParams.get('logout_uri')).toBe(FRONTEND);
    });
  });

  describe('the local provider', () => {
    let gh: TestApp;
    beforeAll(async () => {
      gh = await startTestApp({});
    });
    afterAll(() => gh.close());

    it('offers no hosted login', async () => {
      expect((await request(gh.url).get('/api/v1/auth/hosted/login').expect(404)).body.error.code).toBe('HOSTED_LOGIN_UNAVAILABLE');
      expect((await request(gh.url).get('/api/v1/auth/status').expect(200)).body).toMatchObject({ authenticated: false, hostedLogin: false });
      expect((await request(gh.url).post('/api/v1/auth/logout').expect(200)).body).toEqual({ logoutUrl: null });
    });
  });
});
