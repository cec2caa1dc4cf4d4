#!/usr/bin/env node
// The 22.5k no-regression check with warm query-token caches (a server's steady state), beside bm25.mjs's check
// with cold ones: today's search (BASELINE_COMMIT's Bm25Index, bundled by bm25.mjs into the bench cache) and the
// default search, each built from the shipped paragraphs, one untimed pass each, then 5 interleaved timed passes
// over the 2,061 StrategyQA questions (k = 10); medians and their ratio.
// Run after `npm run bench:retrieval` has made the bundle: node tools/bench/retrieval/default-vs-today.mjs
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHIPPED_CORPUS } from './gen-corpus.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CACHE = process.env.BENCH_CACHE ?? path.join(root, 'node_modules/.cache/kard-bench-retrieval');
const commit = process.env.BENCH_BASELINE_COMMIT ?? 'd2b6c95';
const bundle = path.join(CACHE, `baseline-${commit}.cjs`);
if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run bench:retrieval first (it bundles it)`);
const { Bm25Index } = require('@kard/retriever');
const { readPassages } = require('@kard/knowledge-base');
const Today = require(bundle).Bm25Index;
const qs = JSON.parse(fs.readFileSync(path.join(root, 'datasets/strategyqa/train.json'), 'utf8')).map(
  (q) => q.question,
);
async function* passages() {
  for (const f of SHIPPED_CORPUS) yield* readPassages(f);
}
const today = await Today.build(passages());
const ours = await Bm25Index.build(passages());
for (const index of [today, ours]) for (const q of qs) index.search(q, 10);
const qps = { today: [], ours: [] };
for (let round = 0; round < 5; round++)
  for (const [name, index] of [
    ['today', today],
    ['ours', ours],
  ]) {
    const t = process.hrtime.bigint();
    for (const q of qs) index.search(q, 10);
    qps[name].push(qs.length / (Number(process.hrtime.bigint() - t) / 1e9));
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[2];
console.log(
  `shipped 22.5k, warm token caches, medians of 5 interleaved passes over ${qs.length} StrategyQA questions: ` +
    `default search ${median(qps.ours).toFixed(0)} q/s, today's (${commit}) ${median(qps.today).toFixed(0)} q/s, ` +
    `${(median(qps.ours) / median(qps.today)).toFixed(2)}x`,
);
