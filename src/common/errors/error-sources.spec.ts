import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from './error-codes';

/**
 * The codes the server can send, collected from the source rather than from ERROR_CODES: every throw site
 * (`new XError('CODE'`, `super('CODE', status`), every code table (provider, admin port, platform, Cognito, blocks).
 * ERROR_CODES (and with it README's table, error-codes.spec.ts) must hold exactly these, each with the status the
 * throw site uses. Text, not types: a code sent around AppError (a hand-built error body) would escape the type
 * system, so that is refused here too.
 */
const SRC = join(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The status each AppError subclass fixes (app-error.ts, hosted-login.errors.ts, socket-admission.ts). */
const CLASS_STATUS: Record<string, number> = {
  BadRequestError: 400,
  AuthenticationError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  ServiceUnavailableError: 503,
};

/** Codes that appear in a table but are not sent as such, with why. */
const NOT_SENT: Record<string, string> = {
  TOKEN_INVALID: "cognito-errors.ts: the Cognito table's marker for 'the caller's token was refused', sent as AUTH_TOKEN_INVALID",
};

interface Site {
  code: string;
  status?: number;
  at: string;
}

function collect(): Site[] {
  const sites: Site[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const at = relative(SRC, file);
    const add = (re: RegExp, code: (m: RegExpExecArray) => string, status?: (m: RegExpExecArray) => number | undefined) => {
      for (const m of text.matchAll(re)) sites.push({ code: code(m), status: status?.(m), at });
    };
    // Throw sites: new XError('CODE' …) and super('CODE', status …), the code on the same or the next line.
    add(/new (\w+Error)\(\s*'([A-Z][A-Z0-9_]+)'(?:,\s*(\d{3}))?/g, (m) => m[2]!, (m) => (m[3] ? Number(m[3]) : CLASS_STATUS[m[1]!]));
    add(/super\(\s*'([A-Z][A-Z0-9_]+)',\s*(\d{3})/g, (m) => m[1]!, (m) => Number(m[2]));
    // Tables: CODE: [status, 'message'] (provider, admin port), [ 'CODE', status … ] (platform), status: ['CODE', …].
    add(/^\s*([A-Z][A-Z0-9_]+): \[(\d{3}),/gm, (m) => m[1]!, (m) => Number(m[2]));
    add(/\['([A-Z][A-Z0-9_]+)', (\d{3})/g, (m) => m[1]!, (m) => Number(m[2]));
    add(/^\s*(\d{3}): \['([A-Z][A-Z0-9_]+)'/gm, (m) => m[2]!, (m) => Number(m[1]));
    // Tables whose status comes from elsewhere: blocked statuses → code, Cognito error → code per context.
    add(/^\s*[a-z_]+: \['([A-Z][A-Z0-9_]+)', '[A-Z][a-z]/gm, (m) => m[1]!);
    // Tables from a problem to its code, thrown with a status of their own (stripe-receipt.ts): `problem: 'CODE',`.
    add(/^\s*[a-z_0-9]+: '([A-Z][A-Z0-9]*_[A-Z0-9_]+)',$/gm, (m) => m[1]!);
    add(/\b(?:default|login|code|mfa|refresh|account|other): '([A-Z][A-Z0-9_]+)'/g, (m) => m[1]!);
    // Body refusals chosen by a rule function and thrown with a computed code (fastify-body.ts).
    add(/^\s*([A-Z][A-Z0-9_]+): '[^']+',$/gm, (m) => m[1]!);
  }
  return sites;
}

describe('the codes the source can send', () => {
  const sites = collect();
  const known = new Set<string>(ERROR_CODES);

  it('finds the throw sites', () => {
    expect(sites.length).toBeGreaterThan(100);
  });

  it('every code thrown or tabled is in ERROR_CODES (and so in README "Errors")', () => {
    const unknown = sites.filter((s) => !known.has(s.code) && !NOT_SENT[s.code]).map((s) => `${s.code} (${s.at})`);
    expect(unknown).toEqual([]);
  });

  it('every code of ERROR_CODES is sent from somewhere: no code documented that nothing sends', () => {
    const sent = new Set(sites.map((s) => s.code));
    expect(ERROR_CODES.filter((c) => !sent.has(c))).toEqual([]);
  });

  it('each throw site uses the status ERROR_STATUS gives its code', () => {
    const wrong = sites
      .filter((s) => s.status !== undefined && known.has(s.code) && s.status !== ERROR_STATUS[s.code as ErrorCode])
      .map((s) => `${s.code} sent as ${s.status} in ${s.at}, ERROR_STATUS says ${ERROR_STATUS[s.code as ErrorCode]}`);
    expect(wrong).toEqual([]);
  });

  it('no error body is built by hand outside the filter and the socket error mapper', () => {
    const allowed = new Set(['common/errors/error-response.ts', 'realtime/socket-errors.ts']);
    const handBuilt = sourceFiles(SRC)
      .filter((f) => !allowed.has(relative(SRC, f)))
      .filter((f) => /\berror:\s*\{\s*code:/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(handBuilt).toEqual([]);
  });
});
