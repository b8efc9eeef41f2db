import { decode as decodeJwt } from 'jsonwebtoken';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateDataKey, generateRsaPem, LocalSigningKey } from '../../../src/auth/providers/local/local-keys';
import { LocalSessions } from '../../../src/auth/providers/local/local-sessions';
import { UsersService } from '../../../src/users/users.service';
import { LOCAL_TOKEN_AUDIENCE } from '../../../src/auth/tokens/key-source';
import { testConfig, startTestApp, TestApp } from '../../support/app';
import { JsonClient } from '../../support/http';
import { userFactory } from '../../support/user-factory';

/**
 * Issue #9 item 19: rotating the local signing key logs nobody out. The previous public keys
 * (LOCAL_JWT_PREVIOUS_PUBLIC_KEYS) verify the tokens they signed until those expire and are published in the JWKS;
 * new tokens use the current key. The discovery document advertises only what Gatehouse serves.
 */
describe('local provider: signing key rotation and a truthful discovery document', () => {
  const oldPem = generateRsaPem();
  const newPem = generateRsaPem();
  const strangerPem = generateRsaPem();
  const publicPem = (pem: string) => createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();
  let t: TestApp;
  let api: JsonClient;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({
      LOCAL_JWT_PRIVATE_KEY: newPem,
      // As an operator writes it in a .env: one line, "\n" escapes.
      LOCAL_JWT_PREVIOUS_PUBLIC_KEYS: publicPem(oldPem).replace(/\n/g, '\\n'),
      DATA_ENCRYPTION_KEY: generateDataKey(),
    });
    api = new JsonClient(t.url);
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function tokenSignedBy(pem: string): Promise<string> {
    const subject = `rotation-${Date.now()}-${Math.random()}`;
    await userFactory.row(db, { issuer: 'urn:gatehouse:local', subject, provider: 'local' });
    return new LocalSigningKey(pem).signAccessToken({ issuer: t.config.publicUrl, audience: LOCAL_TOKEN_AUDIENCE, subject, ttlS: 900, email: null });
  }

  it('a token signed with the previous key still works; one signed with an unknown key does not', async () => {
    expect((await api.get('/api/v1/users/me', await tokenSignedBy(oldPem))).status).toBe(200);
    expect((await api.get('/api/v1/users/me', await tokenSignedBy(newPem))).status).toBe(200);
    const stranger = await api.get('/api/v1/users/me', await tokenSignedBy(strangerPem));
    expect(stranger.status).toBe(401);
    expect(stranger.body).toMatchObject({ error: { code: 'AUTH_TOKEN_INVALID' } });
  });

  it('the JWKS lists the current key and the previous one (never a private part); new tokens use the current key', async () => {
    const jwks = await api.get<{ keys: Array<Record<string, string>> }>('/.well-known/jwks.json');
    const current = new LocalSigningKey(newPem).kid;
    const previous = new LocalSigningKey(oldPem).kid;
    expect(jwks.body.keys.map((k) => k.kid)).toEqual([current, previous]);
    for (const k of jwks.body.keys) expect(k).not.toHaveProperty('d');
    // A session the provider itself opens (what login and refresh call) signs with the current key.
    const id = await userFactory.row(db, { issuer: 'urn:gatehouse:local', subject: `rotation-${Date.now()}`, provider: 'local' });
    const { accessToken: minted } = await t.app.get(LocalSessions).issueTokens((await t.app.get(UsersService).findById(id))!);
    expect((await api.get('/api/v1/users/me', minted)).status).toBe(200);
    expect((decodeJwt(minted, { complete: true }) as { header: { kid: string } }).header.kid).toBe(current);
  });

  it('discovery names the issuer and the keys only: no OAuth endpoints Gatehouse does not serve', async () => {
    const doc = (await api.get<Record<string, unknown>>('/.well-known/openid-configuration')).body;
    expect(doc).toMatchObject({ issuer: t.config.publicUrl, jwks_uri: `${t.config.publicUrl}/.well-known/jwks.json` });
    for (const key of Object.keys(doc)) expect(key).not.toMatch(/endpoint|response_types|grant_types|id_token/);
  });

  it('a malformed LOCAL_JWT_PREVIOUS_PUBLIC_KEYS stops start-up with one clear line', () => {
    expect(() => testConfig({ LOCAL_JWT_PREVIOUS_PUBLIC_KEYS: 'not a pem' })).toThrow(/LOCAL_JWT_PREVIOUS_PUBLIC_KEYS/);
    expect(() => testConfig({ LOCAL_JWT_PREVIOUS_PUBLIC_KEYS: `${publicPem(oldPem)}\ntrailing junk` })).toThrow(/LOCAL_JWT_PREVIOUS_PUBLIC_KEYS/);
    expect(testConfig({ LOCAL_JWT_PREVIOUS_PUBLIC_KEYS: `${publicPem(oldPem)}\n${publicPem(strangerPem)}` }).auth.local.previousPublicKeyPems).toHaveLength(2);
  });
});
