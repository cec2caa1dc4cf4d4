#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs one of the benchmarks under tools/bench (each prints its ratios against a
// baseline measured in the same run); with no name, lists them. Build first (`npm run build`): they load dist/.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const BENCHES = {
  retrieval: [
    'retrieval/bm25.mjs',
    'BM25 at 22.5k / 1M / 5M passages (BENCH_SCALE_DOCS), pruned vs exhaustive, LanceDB',
  ],
  'retrieval-build': ['retrieval/build-threads.mjs', 'BM25 build: segmented 1 and all threads vs the single builder'],
  'pipeline-scale': ['retrieval/pipeline-scale.mjs', 'kard-train all on a generated prebuilt store (--docs N)'],
  'kb-builders': ['knowledge-base/builders.mjs', 'kard-kb Wikipedia/PubMed builders: MB/s, passages/s, peak RSS'],
  'kb-store': ['knowledge-base/store-scale.mjs', 'PassageStore build and lookups at scale'],
  student: ['student/bench.mjs', 'student training and generation tokens/s (--backend, --model small|base)'],
  reranker: ['reranker/bench.mjs', 'ColBERT reranker training and scoring throughput'],
  evidence: ['cot-data/evidence.mjs', 'evidence selection for KARD training examples'],
  web: ['web/bench.mjs', 'kard-web in headless Chromium (wasm, WebGPU) against Node'],
};

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || !(name in BENCHES)) {
  if (name && !(name in BENCHES) && name !== '--help' && name !== '-h') console.error(`unknown benchmark "${name}"`);
  console.log('usage: npm run bench -- <name> [args]\n');
  for (const [n, [file, what]] of Object.entries(BENCHES))
    console.log(`  ${n.padEnd(16)} ${what} (tools/bench/${file})`);
  process.exit(name && name !== '--help' && name !== '-h' ? 2 : 0);
}
const [file] = BENCHES[name];
const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, file), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
