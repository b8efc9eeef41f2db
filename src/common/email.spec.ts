import { canonicalEmail, emailProblem, parseEmail } from './email';
import { identifierProblem, textProblem } from './text';

describe('the one address rule', () => {
  it('canonicalises: trimmed, NFC, then lower-cased', () => {
    expect(canonicalEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(canonicalEmail('Andre\u0301@example.com')).toBe('andr\u00e9@example.com');
    expect(canonicalEmail('ANDRE\u0301@example.com')).toBe(canonicalEmail('andr\u00c9@example.com'));
  });

  it('does not fold +tags or dots (distinct mailboxes at most providers)', () => {
    expect(canonicalEmail('ada+news@example.com')).toBe('ada+news@example.com');
    expect(canonicalEmail('a.da@example.com')).toBe('a.da@example.com');
  });

  it.each([
    ['"ada"@example.com', 'email must not have a quoted local part'],
    ['"a d a"@example.com', 'email must not have a quoted local part'],
    ['ada\u200b@example.com', 'email contains invisible characters'],
    ['a\ufeffda@example.com', 'email contains invisible characters'],
    ['a\u00adda@example.com', 'email contains invisible characters'],
    ['ada@exa\u202emple.com', 'email contains invisible characters'],
    ['\ud800@example.com', 'email contains not well-formed Unicode'],
    ['ada\u0000@example.com', 'email contains control characters'],
    ['ada\t@example.com', 'email contains control characters'],
    ['Ada <ada@example.com>', 'email must be an email address'],
    ['ada@[127.0.0.1]', 'email must be an email address'],
    [`${'a'.repeat(250)}@e.co`, 'email must be at most 254 characters'],
  ])('refuses %j: %s', (email, problem) => {
    expect(emailProblem(email)).toBe(problem);
    expect(parseEmail(email)).toBeUndefined();
  });

  it('accepts ordinary and international addresses', () => {
    for (const e of ['ada@example.com', 'ada+tag@example.com', 'andr\u00e9@example.com', 'ada@localhost']) expect(emailProblem(e)).toBeUndefined();
    expect(parseEmail(' Ada@Example.com ')).toBe('ada@example.com');
    expect(parseEmail(42)).toBeUndefined();
  });
});

describe('free text', () => {
  it('refuses control characters and lone surrogates; keeps letters, emoji and joiners', () => {
    expect(textProblem('Ada Lovelace')).toBeUndefined();
    expect(textProblem('\u0645\u200c\u06cc')).toBeUndefined(); // Persian with a zero-width non-joiner
    expect(textProblem('👩\u200d💻')).toBeUndefined();
    expect(textProblem('Ada\u0000')).toBe('control characters');
    expect(textProblem('Ada\u009b')).toBe('control characters');
    expect(textProblem('Ada\ud800')).toBe('not well-formed Unicode');
    expect(textProblem('\udc00Ada')).toBe('not well-formed Unicode');
    expect(identifierProblem('a\u200bb')).toBe('invisible characters');
  });
});

describe('the admin port uses the same rule', () => {
  it('refuses what the DTOs refuse and canonicalises the same way', async () => {
    const { normalizeEmail } = await import('../auth/providers/local/local-directory');
    expect(normalizeEmail('"ada"@example.com')).toBeUndefined();
    expect(normalizeEmail('ada\u200b@example.com')).toBeUndefined();
    expect(normalizeEmail(' ANDRE\u0301@Example.com')).toBe('andr\u00e9@example.com');
  });
});
