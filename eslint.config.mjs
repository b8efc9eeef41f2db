import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The app runs on Fastify; Express is a dev dependency only for the bench's peer app.
const bannedPackages = ['express', '@nestjs/platform-express', 'helmet-express', 'cookie-parser'];

// Module boundaries (../shared/STYLE.md): arrows point from importer to imported and never back. A feature module is
// reached only through its index.ts; common, config and database are the shared kernel every module imports directly
// and they import no feature module. Tests may import internals, so none of this applies under test/.
const FEATURES = ['users', 'auth', 'admin', 'webhooks', 'realtime', 'gateway', 'mail', 'health'];
const KERNEL = ['common', 'config', 'database'];
const MAY_IMPORT = {
  users: [],
  mail: [],
  health: [],
  auth: ['users', 'mail'],
  admin: ['users', 'auth'],
  webhooks: ['users'],
  realtime: ['auth', 'users'],
  gateway: ['auth'],
  ...Object.fromEntries(KERNEL.map((k) => [k, []])),
};
const MAX_DEPTH = 5;
const up = (depth) => (depth === 0 ? '\\./' : `(\\.\\./){${depth}}`);

/** The `no-restricted-imports` patterns for a file `depth` folders below src/ in module `mod` (undefined: the composition root). */
function boundaryPatterns(mod, depth) {
  const patterns = [];
  for (const other of FEATURES) {
    if (other === mod) continue;
    if (mod && !MAY_IMPORT[mod].includes(other)) {
      patterns.push({ regex: `^${up(depth)}${other}(/.*)?$`, message: `${mod} may not import ${other} (module direction, ../shared/STYLE.md).` });
    } else {
      patterns.push({ regex: `^${up(depth)}${other}/.+$`, message: `Import ${other} through its index ('${other}'), not its internals.` });
    }
  }
  if (mod) {
    patterns.push({ regex: `^${up(depth)}(app\\.module|app\\.setup|main|cli)(/.*)?$`, message: 'Only the composition root (src/*.ts, src/cli) imports the app itself.' });
  }
  if (mod && FEATURES.includes(mod)) {
    patterns.push({ regex: '^\\.{1,2}(/\\.\\.)*(/index)?/?$', message: `Inside ${mod}, import the file itself, not the module's own index (a cycle).` });
  }
  return patterns;
}

const boundaryConfigs = [];
for (const depth of Array.from({ length: MAX_DEPTH + 1 }, (_, i) => i)) {
  if (depth === 0) {
    boundaryConfigs.push({ files: ['src/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: bannedPackages, patterns: boundaryPatterns(undefined, 0) }] } });
    continue;
  }
  for (const mod of [...FEATURES, ...KERNEL, 'cli']) {
    const files = [`src/${mod}/${'*/'.repeat(depth - 1)}*.ts`];
    const patterns = boundaryPatterns(mod === 'cli' ? undefined : mod, depth);
    boundaryConfigs.push({ files, rules: { 'no-restricted-imports': ['error', { paths: bannedPackages, patterns }] } });
  }
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'bench/**', 'test/support/*.js', 'eslint.config.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-imports': ['error', { paths: bannedPackages }],
    },
  },
  ...boundaryConfigs,
  // Unit specs sit beside the code they test and, like test/, may reach its internals.
  { files: ['src/**/*.spec.ts'], rules: { 'no-restricted-imports': ['error', { paths: bannedPackages }] } },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // The admin console's browser modules (plain ES modules, served as they are). Text only, never HTML: the HTML sinks
  // and storage are refused here, so a user-typed name can never become markup and no token can land in storage.
  {
    files: ['src/admin/console/assets/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'history', 'fetch', 'URLSearchParams', 'FormData', 'Node', 'setTimeout', 'console'].map((g) => [g, 'readonly']),
      ),
    },
    rules: {
      'no-restricted-properties': ['error', ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'write', 'writeln'].map((property) => ({ property, message: 'Build DOM with h() and text nodes (dom.js); never parse HTML.' }))],
      'no-restricted-globals': ['error', 'localStorage', 'sessionStorage', 'eval'],
      'no-console': 'error',
    },
  },
);
