import { securityHeaderSets } from './security-headers';

const csp = (set: ReadonlyArray<readonly [string, string]>): string => set.find(([name]) => name === 'content-security-policy')?.[1] ?? '';

describe('security headers', () => {
  it('outside production no answer asks the browser to upgrade to https (plain-HTTP docs at any name stay readable)', () => {
    const sets = securityHeaderSets(false);
    for (const set of [sets.strict, sets.docs]) {
      expect(csp(set)).not.toContain('upgrade-insecure-requests');
      expect(set.map(([name]) => name)).not.toContain('strict-transport-security');
    }
  });

  it('in production every answer upgrades insecure requests and pins HTTPS', () => {
    const sets = securityHeaderSets(true);
    for (const set of [sets.strict, sets.docs]) {
      expect(csp(set)).toContain('upgrade-insecure-requests');
      expect(set.map(([name]) => name)).toContain('strict-transport-security');
    }
  });
});
