import { AppError } from '../../common/errors/app-error';
import type { Principal } from '../../common/principal';
import { TokenRejection } from '../tokens/verified-token';
import { assertRole, assertStatusAllowed, assertTokenUse } from './access-rules';
import { bearerToken } from '../credentials/bearer';

const p = (over: Partial<Principal>): Principal => ({
  userId: 'u',
  issuer: 'i',
  subject: 's',
  email: null,
  role: 'user',
  groups: [],
  organizationId: null,
  status: 'active',
  provider: 'cognito',
  tokenUse: 'access',
  scopes: [],
  ...over,
});
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('bearerToken', () => {
  it('reads a Bearer credential, case-insensitively in the scheme', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken(undefined)).toBeUndefined();
  });
  it.each(['Basic abc', 'Bearer', 'Bearer ', 'Bearer  two-spaces', 'Bearer a b', 'Bearer a"b', `Bearer ${'a'.repeat(9000)}`])('refuses %j', (h) => {
    expect(() => bearerToken(h)).toThrow(TokenRejection);
    expect(() => bearerToken(h)).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_INVALID', reason: 'CREDENTIAL_MALFORMED' }));
  });
});

describe('assertTokenUse', () => {
  it('refuses an ID token on a route that takes access tokens only, with its own reason', () => {
    expect(() => assertTokenUse('id', false)).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_INVALID', reason: 'ID_TOKEN_NOT_ACCEPTED' }));
    expect(() => assertTokenUse('id', true)).not.toThrow();
    expect(() => assertTokenUse('access', false)).not.toThrow();
  });
});

describe('assertStatusAllowed', () => {
  it('lets active users through everywhere and others only where allowed', () => {
    expect(codeOf(() => assertStatusAllowed(p({}), []))).toBeUndefined();
    expect(codeOf(() => assertStatusAllowed(p({ status: 'pending_mfa' }), []))).toBe('ONBOARDING_INCOMPLETE');
    expect(codeOf(() => assertStatusAllowed(p({ status: 'pending_mfa' }), ['pending_mfa']))).toBeUndefined();
  });
  it('gives blocked users their own code unless the route allows them', () => {
    expect(codeOf(() => assertStatusAllowed(p({ status: 'suspended' }), []))).toBe('USER_SUSPENDED');
    expect(codeOf(() => assertStatusAllowed(p({ status: 'disabled' }), [], true))).toBe('USER_DISABLED');
    expect(codeOf(() => assertStatusAllowed(p({ status: 'rejected' }), []))).toBe('USER_REJECTED');
    expect(codeOf(() => assertStatusAllowed(p({ status: 'suspended' }), ['suspended']))).toBeUndefined();
  });
  it('optional-auth routes let pending users through', () => {
    expect(codeOf(() => assertStatusAllowed(p({ status: 'pending_verification' }), [], true))).toBeUndefined();
  });
});

describe('assertRole', () => {
  it('allows listed roles and routes without @Roles', () => {
    expect(codeOf(() => assertRole(p({ role: 'auditor' }), ['admin', 'auditor']))).toBeUndefined();
    expect(codeOf(() => assertRole(p({ role: 'user' }), undefined))).toBeUndefined();
    expect(codeOf(() => assertRole(p({ role: 'user' }), ['admin']))).toBe('FORBIDDEN');
  });
});
