// Two tiers: unit tests (`*.spec.ts`, no services) and integration tests (`*.int-spec.ts` next to
// the code, `test/**/*.e2e-spec.ts` across apps) against the machine's real Postgres and RabbitMQ.
// Type checking is `npm run typecheck`'s job; here ts-jest only transpiles, which keeps runs fast.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
};

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: [
        '<rootDir>/{apps,libs,tools}/**/*.int-spec.ts',
        '<rootDir>/test/**/*.e2e-spec.ts',
      ],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
    },
  ],
  maxWorkers: 2,
  // Integration tests wait for real services; unit tests finish long before this.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
