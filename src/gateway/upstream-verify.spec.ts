import { signGatehouseRequest, verifyGatehouseSignature } from './upstream-verify';

const SECRET = 'gateway-unit-secret-0123456789abcdef';
const NOW = 1_764_000_000;
const identity = { userId: 'u-1', email: 'a@example.com', role: 'user', requestId: 'req-1' };

function signed(method = 'POST', url = '/generate?model=small', t = NOW) {
  return {
    method,
    url,
    headers: {
      'x-user-id': identity.userId,
      'x-user-email': identity.email,
      'x-user-role': identity.role,
      'x-request-id': identity.requestId,
      'x-gatehouse-signature': signGatehouseRequest(SECRET, method, url, t, identity),
    } as Record<string, string | string[] | undefined>,
  };
}

describe('verifyGatehouseSignature (the upstream side)', () => {
  it('accepts what Gatehouse signed and returns the identity it vouches for', () => {
    expect(verifyGatehouseSignature(signed(), SECRET, { nowS: NOW + 30 })).toEqual({ ok: true, timestamp: NOW, ...identity });
  });

  it('refuses any change to the method, target, identity, request id or secret', () => {
    const req = signed();
    const opts = { nowS: NOW };
    expect(verifyGatehouseSignature({ ...req, method: 'GET' }, SECRET, opts)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyGatehouseSignature({ ...req, url: '/generate?model=large' }, SECRET, opts)).toEqual({ ok: false, reason: 'mismatch' });
    for (const name of ['x-user-id', 'x-user-email', 'x-user-role', 'x-request-id']) {
      expect([name, verifyGatehouseSignature({ ...req, headers: { ...req.headers, [name]: 'changed' } }, SECRET, opts)]).toEqual([name, { ok: false, reason: 'mismatch' }]);
    }
    expect(verifyGatehouseSignature(req, `${SECRET}x`, opts)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a signature older (or newer) than the tolerance: a replay later fails', () => {
    expect(verifyGatehouseSignature(signed(), SECRET, { nowS: NOW + 61 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyGatehouseSignature(signed(), SECRET, { nowS: NOW - 61 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyGatehouseSignature(signed(), SECRET, { nowS: NOW + 250, toleranceS: 300 }).ok).toBe(true);
  });

  it('refuses a missing or malformed header, and a repeated identity header', () => {
    const req = signed();
    const without = { ...req.headers, 'x-gatehouse-signature': undefined };
    expect(verifyGatehouseSignature({ ...req, headers: without }, SECRET, { nowS: NOW })).toEqual({ ok: false, reason: 'missing' });
    for (const value of ['v1=abc', `t=${NOW},v1=zz`, `t=${NOW},v1=${'a'.repeat(63)}`, `t=${NOW},v1=${'a'.repeat(64)},v0=1`]) {
      expect(verifyGatehouseSignature({ ...req, headers: { ...req.headers, 'x-gatehouse-signature': value } }, SECRET, { nowS: NOW })).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verifyGatehouseSignature({ ...req, headers: { ...req.headers, 'x-user-id': ['u-1', 'u-2'] } }, SECRET, { nowS: NOW })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyGatehouseSignature({ ...req, headers: { ...req.headers, 'x-user-id': undefined } }, SECRET, { nowS: NOW })).toEqual({ ok: false, reason: 'malformed' });
  });
});
