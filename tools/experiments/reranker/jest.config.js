module.exports = { ...require('../../../jest.preset.js'), displayName: 'experiments/reranker', rootDir: __dirname };
