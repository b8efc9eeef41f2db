import { ForbiddenError } from '../common/errors/app-error';
import { TokenRejection } from '../auth/tokens/verified-token';
import { handshakeCredential, type Handshake } from './handshake-credential';

const COOKIE = 'gh_session';
const ALLOWED = new Set(['https://app.test']);
const hs = (h: Partial<Handshake>): Handshake => ({ headers: {}, auth: {}, query: {}, ...h });

describe('handshakeCredential: where a socket token is read from', () => {
  it('prefers auth.token, then the Authorization header, then the token query parameter, then the cookie', () => {
    const all = hs({ auth: { token: 'a' }, headers: { authorization: 'Bearer h', cookie: `${COOKIE}=c`, origin: 'https://app.test' }, query: { token: 'q' } });
    expect(handshakeCredential(all, COOKIE, ALLOWED)).toEqual({ token: 'a', via: 'bearer', source: 'auth' });
    expect(handshakeCredential({ ...all, auth: {} }, COOKIE, ALLOWED)).toMatchObject({ token: 'h', source: 'header' });
    expect(handshakeCredential({ ...all, auth: {}, headers: { ...all.headers, authorization: undefined } }, COOKIE, ALLOWED)).toMatchObject({ token: 'q', source: 'query' });
    expect(handshakeCredential(hs({ headers: { cookie: `x=1; ${COOKIE}=c`, origin: 'https://app.test' } }), COOKIE, ALLOWED)).toEqual({ token: 'c', via: 'cookie', source: 'cookie' });
  });

  it('none at all is undefined (the caller answers AUTH_TOKEN_MISSING)', () => {
    expect(handshakeCredential(hs({ headers: { cookie: 'other=1' } }), COOKIE, ALLOWED)).toBeUndefined();
  });

  it('refuses a non-string or oversized token, a repeated query parameter, and a non-bearer header', () => {
    expect(() => handshakeCredential(hs({ auth: { token: 42 } }), COOKIE, ALLOWED)).toThrow(TokenRejection);
    expect(() => handshakeCredential(hs({ auth: { token: 'x'.repeat(20_000) } }), COOKIE, ALLOWED)).toThrow(TokenRejection);
    expect(() => handshakeCredential(hs({ query: { token: ['a', 'b'] } }), COOKIE, ALLOWED)).toThrow(TokenRejection);
    expect(() => handshakeCredential(hs({ headers: { authorization: 'Basic abc' } }), COOKIE, ALLOWED)).toThrow(TokenRejection);
  });

  it('cross-site WebSocket hijacking: the cookie needs an Origin from CORS_ORIGINS, though the handshake is a GET', () => {
    const cookie = `${COOKIE}=c`;
    expect(() => handshakeCredential(hs({ headers: { cookie, origin: 'https://evil.test' } }), COOKIE, ALLOWED)).toThrow(ForbiddenError);
    expect(() => handshakeCredential(hs({ headers: { cookie } }), COOKIE, ALLOWED)).toThrow(ForbiddenError);
  });
});
