import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The worker entry of this package: `worker.js` beside the built bundle (dist/index.js, dist/cli/main.js and
 * their .mjs twins all find dist/sparse/worker.js), or, when running from TypeScript sources (tests), `worker.ts`
 * through test-support/register-source.js (@swc/core, `@kard/x` mapped to the sources).
 */
function workerEntry(): { file: string; source: boolean } {
  const here = __dirname;
  const built = [path.join(here, 'sparse', 'worker.js'), path.join(here, '..', 'sparse', 'worker.js')];
  if (__filename.endsWith('.ts')) return { file: path.join(here, 'worker.ts'), source: true };
  for (const file of built) if (fs.existsSync(file)) return { file, source: false };
  throw new Error(`@kard/retriever: worker entry not found (looked for ${built.join(', ')}); rebuild the package`);
}

/** Starts a worker thread running `worker.ts` with `data` as its workerData (`kind` picks what it does). */
export function spawnWorker(data: { kind: string } & Record<string, unknown>): Worker {
  const entry = workerEntry();
  // env: this module's process.env (under jest, the test's own copy), not the process's at start-up
  if (!entry.source) return new Worker(entry.file, { workerData: data, env: process.env });
  const register = path.join(__dirname, 'test-support', 'register-source.js');
  const bootstrap = `require(${JSON.stringify(register)}); require(${JSON.stringify(entry.file)});`;
  return new Worker(bootstrap, { eval: true, workerData: data, env: process.env });
}
