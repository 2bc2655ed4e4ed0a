// The fault suite: kills processes and restarts RabbitMQ and Postgres, so it runs alone, after the
// other tests (`npm test` runs it last), one test at a time.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
  maxWorkers: 1,
  testTimeout: 600000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
