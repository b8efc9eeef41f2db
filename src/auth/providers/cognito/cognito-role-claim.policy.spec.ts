import { decideClaimTrust } from './cognito-role-claim.policy';

const gatehouse = (w?: string[]) => ({ clientId: 'gatehouse', writeAttributes: w });
const mobile = (w?: string[]) => ({ clientId: 'mobile', writeAttributes: w });

describe('user-attribute claim trust over every app client of the pool (issue 20.8)', () => {
  it('trusts custom:role only with TRUST_ROLE_CLAIM and when no client at all can write it', () => {
    expect(decideClaimTrust(true, [gatehouse(['email']), mobile(['email', 'name'])]).trusted).toBe(true);
    expect(decideClaimTrust(true, [gatehouse(['email']), mobile(['custom:role'])])).toMatchObject({ trusted: false, reason: expect.stringContaining('mobile can write custom:role') });
    expect(decideClaimTrust(false, [gatehouse(['email'])]).trusted).toBe(false);
  });

  it('trusts custom:organizationId only when no client can write it, whatever TRUST_ROLE_CLAIM says', () => {
    expect(decideClaimTrust(false, [gatehouse(['email']), mobile(undefined)]).tenantTrusted).toBe(true);
    expect(decideClaimTrust(true, [gatehouse(['email']), mobile(['custom:organizationId'])])).toMatchObject({
      tenantTrusted: false,
      tenantReason: expect.stringContaining('mobile can write custom:organizationId'),
    });
    expect(decideClaimTrust(false, [gatehouse(['custom:organizationId'])]).tenantTrusted).toBe(false);
  });

  it('an absent WriteAttributes means standard attributes only (custom ones are not writable)', () => {
    expect(decideClaimTrust(true, [gatehouse(undefined), mobile([])])).toMatchObject({ trusted: true, tenantTrusted: true });
  });

  it('fails closed when the clients could not be read', () => {
    expect(decideClaimTrust(true, undefined, 'ListUserPoolClients failed (AccessDeniedException)')).toMatchObject({
      trusted: false,
      tenantTrusted: false,
      reason: expect.stringContaining('AccessDeniedException'),
    });
  });
});
