module.exports = { ...require('../../jest.preset.js'), displayName: 'tools/chaos', rootDir: __dirname };
