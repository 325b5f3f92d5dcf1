// ESM + ts-jest (see shared toolchain notes): tests import source, `.js` suffixes map to `.ts`.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/plugins', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@bella/core$': '<rootDir>/packages/core/src/index.ts',
    '^@bella/core/runtime$': '<rootDir>/packages/core/src/runtime.ts',
    '^@bella/core/explain$': '<rootDir>/packages/core/src/explain/index.ts',
    '^@bella/core/streams$': '<rootDir>/packages/core/src/streams.ts',
    '^@bella/core/testing$': '<rootDir>/packages/core/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {'^.+\\.ts$': ['ts-jest', {useESM: true}]},
  testTimeout: 30000,
  // Each test file takes back the listeners its modules added to process.stdout/stderr.
  setupFilesAfterEnv: ['<rootDir>/test/setup/output-listeners.js'],
  // A PostgreSQL server the tests had to start is stopped at the end (test/setup/postgres-global.js).
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
}
