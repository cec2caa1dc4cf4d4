// Shared jest settings: TypeScript through swc, and workspace packages resolved to their sources
// so tests never need a build first.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    '^@kard/([a-z0-9-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^@kard/([a-z0-9-]+)/browser$': path.join(__dirname, 'packages/$1/src/browser.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 60000,
  // Picks the Vulkan driver for the webgpu tests before jest copies process.env into each test file.
  globalSetup: path.join(__dirname, 'tools/test/jest-global-setup.cjs'),
};
