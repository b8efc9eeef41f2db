import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCKED_STATUSES, USER_STATUSES } from '../user-status';
import { blockedStatusCode, ERROR_CODES, ERROR_STATUS, type ErrorCode } from './error-codes';

/** The rows of README.md's "Errors" table: the statuses of the first column, the backquoted codes of the second. */
function readmeRows(): Array<{ statuses: number[]; codes: string[] }> {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const section = readme.split(/^## Errors$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((l) => /^\|\s*\d{3}\b/.test(l));
  return rows.map((row) => ({
    statuses: [...(row.split('|')[1] ?? '').matchAll(/\d{3}/g)].map((m) => Number(m[0])),
    codes: [...(row.split('|')[2] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!),
  }));
}
const readmeErrorCodes = (): string[] => readmeRows().flatMap((r) => r.codes);

describe('the error vocabulary', () => {
  it('README.md lists exactly the codes of ERROR_CODES, no more and no fewer', () => {
    const documented = new Set(readmeErrorCodes());
    expect(documented.size).toBeGreaterThan(0);
    const missingFromReadme = ERROR_CODES.filter((c) => !documented.has(c));
    const unknownInReadme = [...documented].filter((c) => !(ERROR_CODES as readonly string[]).includes(c));
    expect({ missingFromReadme, unknownInReadme }).toEqual({ missingFromReadme: [], unknownInReadme: [] });
  });

  it("README.md gives each code the status it is sent with (ERROR_STATUS)", () => {
    const wrong = readmeRows().flatMap((r) => r.codes.filter((c) => !r.statuses.includes(ERROR_STATUS[c as ErrorCode])).map((c) => `${c}: README ${r.statuses.join('/')}, sent ${ERROR_STATUS[c as ErrorCode]}`));
    expect(wrong).toEqual([]);
  });

  it('has no duplicates and only UPPER_SNAKE codes', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });

  it('gives each blocked status its own code and every other status none', () => {
    const blocked = BLOCKED_STATUSES.map((s) => blockedStatusCode(s));
    expect(blocked.every((c) => c !== undefined && ERROR_CODES.includes(c))).toBe(true);
    expect(new Set(blocked).size).toBe(BLOCKED_STATUSES.length);
    for (const s of USER_STATUSES.filter((x) => !BLOCKED_STATUSES.includes(x))) expect(blockedStatusCode(s)).toBeUndefined();
  });
});
