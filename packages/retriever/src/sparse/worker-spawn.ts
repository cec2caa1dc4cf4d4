import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The worker entry of this package: `worker.js` beside the built bundle (dist/index.js, dist/cli/main.js and
 * their .mjs twins all find dist/sparse/worker.js), or, when running from TypeScript sources (tests), `worker.ts`
 * compiled on the fly with @swc/core, the compiler the test runner uses, with `@kard/x` mapped to the sources.
 */
function workerEntry(): { file: string; source: boolean } {
  const here = __dirname;
  const built = [path.join(here, 'sparse', 'worker.js'), path.join(here, '..', 'sparse', 'worker.js')];
  if (__filename.endsWith('.ts')) return { file: path.join(here, 'worker.ts'), source: true };
  for (const file of built) if (fs.existsSync(file)) return { file, source: false };
  throw new Error(`@kard/retriever: worker entry not found (looked for ${built.join(', ')}); rebuild the package`);
}

/** Plain CommonJS that lets a worker thread require the TypeScript sources (tests only). */
const SOURCE_BOOTSTRAP = `
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');
const { workerData } = require('node:worker_threads');
const packages = workerData.__packages;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const m = /^@kard\\/([a-z0-9-]+)$/.exec(request);
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
require(workerData.__entry);
`;

/** Starts a worker thread running `worker.ts` with `data` as its workerData (`kind` picks what it does). */
export function spawnWorker(data: { kind: string } & Record<string, unknown>): Worker {
  const entry = workerEntry();
  if (!entry.source) return new Worker(entry.file, { workerData: data });
  const packages = path.resolve(__dirname, '..', '..', '..');
  return new Worker(SOURCE_BOOTSTRAP, {
    eval: true,
    workerData: { ...data, __entry: entry.file, __packages: packages },
  });
}
