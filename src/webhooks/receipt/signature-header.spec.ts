import { parseSignatureHeader, timestampProblem } from './signature-header';

describe('Stripe-Signature header', () => {
  it('reads t and every v1; other schemes count for nothing', () => {
    expect(parseSignatureHeader('t=1700000000,v1=aa,v0=bb,v1=cc')).toEqual({ timestamp: 1_700_000_000, v1: ['aa', 'cc'] });
    expect(parseSignatureHeader('t=1700000000,v0=bb')).toEqual({ problem: 'no_v1' });
  });
  it.each([[undefined, 'missing'], ['', 'missing'], ['t=abc,v1=aa', 'malformed'], ['v1=aa', 'malformed'], ['t=1,t=2,v1=aa', 'malformed'], ['garbage', 'malformed']])('%p → %s', (header, problem) => {
    expect(parseSignatureHeader(header)).toEqual({ problem });
  });
  it('the time must be within 300 s on either side', () => {
    expect(timestampProblem(1000, 1300)).toBeNull();
    expect(timestampProblem(1000, 1301)).toBe('stale');
    expect(timestampProblem(1301, 1000)).toBe('future');
    expect(timestampProblem(1300, 1000)).toBeNull();
  });
});
