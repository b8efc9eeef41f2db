import { poolPasswordViolation, toPoolPolicy } from './cognito-password-policy';

describe('poolPasswordViolation (Cognito password policy, checked before any Cognito call)', () => {
  const all = { minLength: 10, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true };
  it.each([
    ['Aa1!aaaaaa', undefined],
    ['Aa1!aaaaa', 'too_short'],
    ['aa1!aaaaaa', 'no_uppercase'],
    ['AA1!AAAAAA', 'no_lowercase'],
    ['Aa!!aaaaaa', 'no_number'],
    ['Aa11aaaaaa', 'no_symbol'],
    ['Aa1 aaaaaa', undefined],
  ])('%p → %p', (password, expected) => {
    expect(poolPasswordViolation(password, all)).toBe(expected);
  });

  it('an empty policy allows anything; length counts characters, not UTF-16 units', () => {
    expect(poolPasswordViolation('x', {})).toBeUndefined();
    expect(poolPasswordViolation('😀😀😀', { minLength: 4 })).toBe('too_short');
  });

  it('maps DescribeUserPool PasswordPolicy', () => {
    expect(toPoolPolicy({ MinimumLength: 8, RequireNumbers: true })).toEqual({ minLength: 8, requireNumbers: true, requireUppercase: undefined, requireLowercase: undefined, requireSymbols: undefined });
    expect(toPoolPolicy(undefined)).toBeUndefined();
  });
});
