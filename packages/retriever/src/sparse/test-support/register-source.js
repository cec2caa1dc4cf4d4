// Lets plain Node (a worker thread or child process started by a test) require this repository's TypeScript
// sources: .ts compiled on the fly with @swc/core (the compiler the jest preset uses), `@kard/x` mapped to
// packages/x/src/index.ts. Never used by the built package.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const packages = path.resolve(__dirname, '..', '..', '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@kard\/([a-z0-9-]+)$/.exec(request);
  if (m) return path.join(packages, m[1], 'src', 'index.ts');
  return resolve.call(this, request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
