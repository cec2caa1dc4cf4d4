// Root config: every package and app is a jest project.
module.exports = {
  projects: [
    '<rootDir>/packages/*/jest.config.js',
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/tools/experiments/*/jest.config.js',
    '<rootDir>/tools/chaos/jest.config.js',
  ],
};
