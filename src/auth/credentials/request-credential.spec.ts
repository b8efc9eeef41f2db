import { ForbiddenError } from '../../common/errors/app-error';
import { TokenRejection } from '../tokens/verified-token';
import { CredentialRequest, requestCredential } from './request-credential';

const COOKIE = 'gatehouse_session';
const allowed = new Set(['https://app.example.com']);

function req(method: string, headers: CredentialRequest['headers'] = {}, cookies: Record<string, unknown> = {}): CredentialRequest {
  return { method, headers, cookies };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ForbiddenError) return err.code;
    if (err instanceof TokenRejection) return `${err.code} ${err.reason}`;
    throw err;
  }
  return undefined;
}

describe('requestCredential', () => {
  it('returns nothing without a header or a cookie', () => {
    expect(requestCredential(req('GET'), COOKIE, allowed)).toBeUndefined();
    expect(requestCredential(req('POST', {}, { [COOKIE]: '' }), COOKIE, allowed)).toBeUndefined();
  });

  it('prefers the bearer header over the cookie, and never applies the Origin rule to it', () => {
    const r = req('POST', { authorization: 'Bearer header.token.x' }, { [COOKIE]: 'cookie.token.x' });
    expect(requestCredential(r, COOKIE, allowed)).toEqual({ token: 'header.token.x', via: 'bearer' });
  });

  it('reads the session cookie when there is no header', () => {
    expect(requestCredential(req('GET', {}, { [COOKIE]: 'a.b.c' }), COOKIE, allowed)).toEqual({ token: 'a.b.c', via: 'cookie' });
  });

  it('ignores cookies of other names', () => {
    expect(requestCredential(req('POST', {}, { other: 'a.b.c' }), COOKIE, allowed)).toBeUndefined();
  });

  it('refuses an oversized or non-string cookie as an invalid token', () => {
    expect(codeOf(() => requestCredential(req('GET', {}, { [COOKIE]: 'x'.repeat(20_000) }), COOKIE, allowed))).toBe('AUTH_TOKEN_INVALID CREDENTIAL_MALFORMED');
    expect(codeOf(() => requestCredential(req('GET', {}, { [COOKIE]: { j: 1 } }), COOKIE, allowed))).toBe('AUTH_TOKEN_INVALID CREDENTIAL_MALFORMED');
  });

  describe('Origin rule for cookie-authenticated requests', () => {
    it.each(['GET', 'HEAD', 'OPTIONS'])('lets safe method %s through without an Origin', (method) => {
      expect(requestCredential(req(method, {}, { [COOKIE]: 'a.b.c' }), COOKIE, allowed)?.via).toBe('cookie');
    });

    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post'])('%s passes with an allowed Origin', (method) => {
      expect(requestCredential(req(method, { origin: 'https://app.example.com' }, { [COOKIE]: 'a.b.c' }), COOKIE, allowed)?.via).toBe('cookie');
    });

    it.each([
      ['another origin', 'https://evil.example.com'],
      ['a look-alike with a trailing slash', 'https://app.example.com/'],
      ['another scheme', 'http://app.example.com'],
      ['the opaque origin', 'null'],
      ['a missing Origin', undefined],
    ])('refuses %s on a state-changing request with ORIGIN_NOT_ALLOWED', (_what, origin) => {
      const headers = origin === undefined ? {} : { origin };
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        expect(codeOf(() => requestCredential(req(method, headers, { [COOKIE]: 'a.b.c' }), COOKIE, allowed))).toBe('ORIGIN_NOT_ALLOWED');
      }
    });

    it('refuses everything when no origin is configured', () => {
      expect(codeOf(() => requestCredential(req('POST', { origin: 'https://app.example.com' }, { [COOKIE]: 'a.b.c' }), COOKIE, new Set()))).toBe('ORIGIN_NOT_ALLOWED');
    });
  });
});
