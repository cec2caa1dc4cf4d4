// Root config: every package and app is a jest project.
module.exports = {
  // a global option: jest ignores testTimeout in the projects' own configs when they run together from here
  testTimeout: 60000,
  projects: [
    '<rootDir>/packages/*/jest.config.js',
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/tools/experiments/*/jest.config.js',
    '<rootDir>/tools/chaos/jest.config.js',
  ],
};
