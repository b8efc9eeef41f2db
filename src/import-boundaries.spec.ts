import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The module boundaries of ../shared/STYLE.md, kept by `no-restricted-imports` in eslint.config.mjs: a module reaches
 * another only through its index, and no arrow points back down the documented direction. Each case lints a tiny
 * fixture with ESLint's Node API as if it lived at `filePath`, and the tests assert whether the rule reports it.
 * ESLint loads its flat config with a dynamic `import()`, which jest's module sandbox refuses, so the Node API runs
 * in one child `node` process for all cases.
 */
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath });
  out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.fatal).map((m) => m.ruleId ?? m.message));
}
process.stdout.write(JSON.stringify(out));
`;

type Case = { filePath: string; code: string };
const cases: Case[] = [];
const reports = new Map<Case, string[]>();

/** Registers a fixture; its reported rule ids are ready once `beforeAll` has linted every case. */
function fixture(filePath: string, code: string): () => string[] {
  const c = { filePath, code };
  cases.push(c);
  return () => reports.get(c)!;
}

const usersToAuthIndex = fixture('src/users/x.ts', "export { AuthModule } from '../auth';\n");
const usersToAuthDeep = fixture('src/users/onboarding/x.ts', "export { Authenticator } from '../../auth/authenticator';\n");
const authUpwards = ['admin', 'webhooks', 'realtime'].map((t) => fixture('src/auth/providers/local/x.ts', `export * from '../../../${t}';\n`));
const kernelToFeature = ['src/common/errors/x.ts', 'src/config/x.ts', 'src/database/x.ts'].map((f) =>
  fixture(f, `export { UsersService } from '${'../'.repeat(f.split('/').length - 2)}users';\n`),
);
const gatewayBeyondAuth = ['users', 'admin', 'realtime'].map((t) => fixture('src/gateway/x.ts', `export * from '../${t}';\n`));
const gatewayDeepIntoAuth = fixture('src/gateway/x.ts', "export { Authenticator } from '../auth/authenticator';\n");
const nothingImportsGateway = ['src/auth/x.ts', 'src/realtime/x.ts', 'src/admin/x.ts'].map((f) => fixture(f, "export * from '../gateway';\n"));
const adminDeepIntoUsers = fixture('src/admin/users/x.ts', "export { UsersService } from '../../users/users.service';\n");
const adminThroughUsersIndex = fixture('src/admin/users/x.ts', "export { UsersService } from '../../users';\n");
const ownIndex = fixture('src/auth/guards/x.ts', "export { Authenticator } from '..';\n");
const documentedArrows = [
  fixture('src/auth/x.ts', "export * from '../users';\n"),
  fixture('src/admin/x.ts', "export * from '../auth';\nexport * from '../users';\n"),
  fixture('src/webhooks/billing/x.ts', "export * from '../../users';\n"),
  fixture('src/realtime/x.ts', "export * from '../auth';\nexport * from '../users';\n"),
  fixture('src/gateway/x.ts', "export * from '../auth';\n"),
  fixture('src/app.module.ts', "export * from './admin';\n"),
];
const testDeep = [
  fixture('test/e2e/x.e2e-spec.ts', "export { UsersService } from '../../src/users/users.service';\n"),
  fixture('src/realtime/x.spec.ts', "export { TokenRejection } from '../auth/tokens/verified-token';\n"),
];

beforeAll(() => {
  const root = join(__dirname, '..');
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify(cases)], { cwd: root, encoding: 'utf8' });
  (JSON.parse(stdout) as string[][]).forEach((r, i) => reports.set(cases[i], r));
}, 60_000);

describe('import boundaries (eslint no-restricted-imports)', () => {
  it('refuses users importing auth, through its index or deep', () => {
    expect(usersToAuthIndex()).toEqual(['no-restricted-imports']);
    expect(usersToAuthDeep()).not.toEqual([]);
  });

  it('refuses auth importing admin, webhooks or realtime', () => {
    for (const r of authUpwards) expect(r()).toEqual(['no-restricted-imports']);
  });

  it('refuses common, config and database importing any feature module', () => {
    for (const r of kernelToFeature) expect(r()).toEqual(['no-restricted-imports']);
  });

  it('lets gateway import auth only, through its index, and nothing import gateway', () => {
    for (const r of gatewayBeyondAuth) expect(r()).toEqual(['no-restricted-imports']);
    expect(gatewayDeepIntoAuth()).toEqual(['no-restricted-imports']);
    for (const r of nothingImportsGateway) expect(r()).toEqual(['no-restricted-imports']);
  });

  it('refuses a deep import from admin into users internals, and accepts the index', () => {
    expect(adminDeepIntoUsers()).toEqual(['no-restricted-imports']);
    expect(adminThroughUsersIndex()).toEqual([]);
  });

  it('refuses a module importing its own index (a cycle through the barrel)', () => {
    expect(ownIndex()).toEqual(['no-restricted-imports']);
  });

  it('accepts the documented arrows through the index', () => {
    for (const r of documentedArrows) expect(r()).toEqual([]);
  });

  it('leaves tests (test/ and unit specs) free to import internals', () => {
    for (const r of testDeep) expect(r()).toEqual([]);
  });
});
