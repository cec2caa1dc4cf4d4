#!/usr/bin/env node
// The reader fuzz, long form: seeded truncations and byte flips of valid JSONL/TSV passages, TREC topics, qrels
// and runs, safetensors files and index manifests (src/targets.ts); prints the outcome counts. Crashes, hangs,
// invalid outputs and typed errors that name no file must all be 0 (exit 1 otherwise).
//
//   node tools/chaos/fuzz.mjs [--cases 5000] [--seed 1] [--only bm25,safetensors] [--json]
//
// src/fuzz.ts is bundled on the fly with esbuild (tsup's bundler), @kard/* from the packages' sources, as the
// jest subset (test/fuzz.test.ts) reads them: no build needed, and a reader fix counts at once.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const esbuild = require('esbuild');

const { values: opt } = parseArgs({
  options: {
    cases: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

// written beside this script so that its externals resolve from the repository's node_modules
const out = path.join(here, '.fuzz-bundle.cjs');
await esbuild.build({
  entryPoints: [path.join(here, 'src/fuzz.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'error',
  plugins: [
    {
      name: 'kard-sources',
      setup(build) {
        build.onResolve({ filter: /^@kard\/[a-z0-9-]+$/ }, (a) => ({
          path: path.join(root, 'packages', a.path.slice('@kard/'.length), 'src/index.ts'),
        }));
        // everything else from node_modules stays a runtime require (tfjs and its native bindings)
        build.onResolve({ filter: /^[^./]/ }, (a) => ({ path: a.path, external: true }));
      },
    },
  ],
});
const { fuzz } = require(out);
fs.rmSync(out);

let shown = 0;
const summary = await fuzz({
  cases: Number(opt.cases),
  seed: Number(opt.seed),
  only: opt.only?.split(','),
  onCase: (c) => {
    if (
      !opt.json &&
      (c.outcome === 'crash' || c.outcome === 'hang' || c.outcome === 'invalid-output' || c.named === false) &&
      shown++ < 20
    )
      process.stderr.write(`[fuzz] case ${c.index} ${c.target} (${c.mutation}): ${c.outcome}: ${c.detail}\n`);
  },
});
if (opt.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else {
  const n = summary.counts;
  console.log(
    `inputs tried: ${summary.cases}, typed errors: ${n['typed-error']}, correct results: ${n['same-result'] + n['valid-parse']} (${n['same-result']} same as the valid input, ${n['valid-parse']} valid readings of the mutated bytes), crashes: ${n.crash}, hangs: ${n.hang}, invalid outputs: ${n['invalid-output']}, typed errors naming no file: ${summary.unnamed} (seed ${summary.seed}, ${summary.seconds} s)`,
  );
  for (const [t, c] of Object.entries(summary.byTarget))
    console.log(
      `  ${t}: ${Object.entries(c)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
}
const bad = summary.counts.crash + summary.counts.hang + summary.counts['invalid-output'] + summary.unnamed;
process.exit(bad === 0 ? 0 : 1);
