#!/usr/bin/env node
// BM25 benchmark: @kard/retriever's Bm25Index against MiniSearch, wink-bm25-text-search and flexsearch on the
// shipped Wikipedia paragraphs with StrategyQA questions (single thread, k = 10), then a synthetic scale run.
// Run: npm run bench:retrieval   (builds the package first; BENCH_SCALE_DOCS=0 skips the scale run)
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { Bm25Index } = require('@kard/retriever');
const MiniSearch = require('minisearch');
const bm25 = require('wink-bm25-text-search');
const nlp = require('wink-nlp-utils');
const { Index: FlexIndex } = require('flexsearch');

const K = 10;
/** Slow engines answer queries until this many seconds have passed (all queries when they are fast). */
const QUERY_SECONDS = Number(process.env.BENCH_QUERY_SECONDS ?? 15);
const SCALE_DOCS = Number(process.env.BENCH_SCALE_DOCS ?? 1_000_000);

const passages = ['strategyqa_paragraphs.jsonl', 'hotpotqa_paragraphs.jsonl'].flatMap((f) =>
  fs
    .readFileSync(path.join(root, 'datasets/wikipedia', f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l)),
);
const queries = JSON.parse(fs.readFileSync(path.join(root, 'datasets/strategyqa/train.json'), 'utf8')).map(
  (q) => q.question,
);
const text = (p) => `${p.title}\n${p.text}`;

function time(fn) {
  const t = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
}

/** Queries per second: one warm-up pass over the first 100 queries, then as many as fit in QUERY_SECONDS. */
function qps(search) {
  for (const q of queries.slice(0, 100)) search(q);
  let n = 0;
  const t = process.hrtime.bigint();
  let elapsed = 0;
  while (n < queries.length && elapsed < QUERY_SECONDS) {
    search(queries[n++]);
    elapsed = Number(process.hrtime.bigint() - t) / 1e9;
  }
  return { qps: n / elapsed, queries: n };
}

async function measureKard() {
  const t = process.hrtime.bigint();
  const index = await Bm25Index.build(passages);
  const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { buildSeconds, ...qps((q) => index.search(q, K)), index };
}

function measureMiniSearch() {
  const { value: ms, seconds } = time(() => {
    const ms = new MiniSearch({ fields: ['title', 'text'], idField: 'id' });
    ms.addAll(passages);
    return ms;
  });
  return { buildSeconds: seconds, ...qps((q) => ms.search(q).slice(0, K)) };
}

function measureWink() {
  const { value: engine, seconds } = time(() => {
    const engine = bm25();
    engine.defineConfig({ fldWeights: { title: 1, text: 1 }, bm25Params: { k1: 0.9, b: 0.4 } });
    engine.definePrepTasks([nlp.string.lowerCase, nlp.string.tokenize0, nlp.tokens.removeWords, nlp.tokens.stem]);
    passages.forEach((p) => engine.addDoc({ title: p.title, text: p.text }, p.id));
    engine.consolidate();
    return engine;
  });
  return { buildSeconds: seconds, ...qps((q) => engine.search(q, K)) };
}

function measureFlexsearch() {
  const { value: index, seconds } = time(() => {
    const index = new FlexIndex({ tokenize: 'strict' });
    passages.forEach((p, i) => index.add(i, text(p)));
    return index;
  });
  // suggest: any-term matching (like BM25's OR); flexsearch ranks by term position and returns no scores.
  return { buildSeconds: seconds, ...qps((q) => index.search(q, { limit: K, suggest: true })) };
}

function row(name, r) {
  return (
    `${name.padEnd(26)} ${r.buildSeconds.toFixed(2).padStart(8)} ${r.qps.toFixed(0).padStart(9)}   ` +
    `${String(r.queries).padStart(5)}`
  );
}

async function main() {
  console.log(
    `corpus: ${passages.length} Wikipedia paragraphs; queries: ${queries.length} StrategyQA questions; k = ${K}; ` +
      `node ${process.version}`,
  );
  const kard = await measureKard();
  const others = [
    ['MiniSearch', measureMiniSearch()],
    ['wink-bm25-text-search', measureWink()],
    ['flexsearch (any-term)', measureFlexsearch()],
  ];
  console.log(
    `\n${'engine'.padEnd(26)} ${'build s'.padStart(8)} ${'q/s'.padStart(9)}   timed queries   kard speed-up: ` +
      `queries, build`,
  );
  console.log(row('kard Bm25Index (exact)', kard));
  for (const [name, r] of others) {
    console.log(
      `${row(name, r)}   ${(kard.qps / r.qps).toFixed(1).padStart(7)}x ` +
        `${(r.buildSeconds / kard.buildSeconds).toFixed(1).padStart(6)}x`,
    );
  }
  const fastest = Math.max(...others.map(([, r]) => r.qps));
  console.log(`\nkard q/s / fastest other = ${(kard.qps / fastest).toFixed(1)}x (target >= 10x)`);
  if (SCALE_DOCS > 0) await scaleRun(SCALE_DOCS);
}

/** Zipf(s = 1) over a vocabulary of `v` synthetic words: a CDF to sample ranks by binary search. */
function zipf(v) {
  const cdf = new Float64Array(v);
  let sum = 0;
  for (let r = 0; r < v; r++) cdf[r] = sum += 1 / (r + 1);
  for (let r = 0; r < v; r++) cdf[r] /= sum;
  return (u) => {
    let lo = 0;
    let hi = v - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A seeded generator (mulberry32), so every run indexes the same synthetic corpus. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function scaleRun(n) {
  const vocabulary = 1_000_000;
  const sample = zipf(vocabulary);
  const rand = random(42);
  // Words are letters only ("w" + base-26 rank), so the analyzer keeps each as one token.
  const word = (r) => {
    let s = 'w';
    for (r += 1; r > 0; r = Math.floor(r / 26)) s += String.fromCharCode(97 + (r % 26));
    return s;
  };
  function* docs() {
    for (let i = 0; i < n; i++) {
      const len = 40 + Math.floor(rand() * 81); // 40..120 words, mean 80 (a DPR passage is 100 words)
      const words = new Array(len);
      for (let j = 0; j < len; j++) words[j] = word(sample(rand()));
      yield { id: `doc${i}`, text: words.join(' ') };
    }
  }
  global.gc?.();
  const before = process.memoryUsage();
  const t = process.hrtime.bigint();
  const index = await Bm25Index.build(docs(), { stemmer: 'none' });
  const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  global.gc?.();
  const after = process.memoryUsage();
  const d = index.data;
  const arrays = [
    d.ids.bytes,
    d.ids.offsets,
    d.ids.sortedRows,
    d.ids.rank,
    d.docLengths,
    d.termOffsets,
    d.postingDocs,
    d.postingTfs,
  ];
  const arrayBytes = arrays.reduce((s, a) => s + a.byteLength, 0) + n * 8; /* norms */
  // Queries: 6 words from the same distribution, skipping the 100 most frequent (a stop-word list's job).
  const qs = Array.from({ length: 500 }, () =>
    Array.from({ length: 6 }, () => word(100 + (sample(rand() * 0.999 + 0.001) % (vocabulary - 100)))).join(' '),
  );
  index.search(qs[0], K);
  const q = time(() => qs.forEach((query) => index.search(query, K)));
  const perDoc = (bytes) => (bytes / n).toFixed(0);
  const heapDelta = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
  console.log(
    `\nsynthetic scale run: ${n.toLocaleString()} passages, Zipf(1) over ${vocabulary.toLocaleString()} words, ` +
      `40-120 words each`,
  );
  console.log(
    `  build ${buildSeconds.toFixed(1)} s (${(n / buildSeconds).toFixed(0)} passages/s), ` +
      `${index.termCount.toLocaleString()} terms, ${d.postingDocs.length.toLocaleString()} postings`,
  );
  console.log(
    `  index arrays ${perDoc(arrayBytes)} bytes/passage; heap + array buffers after build ${perDoc(heapDelta)} ` +
      `bytes/passage; rss ${(after.rss / 2 ** 30).toFixed(2)} GiB`,
  );
  console.log(`  search ${(qs.length / q.seconds).toFixed(0)} q/s at k = ${K} (6-word queries)`);
  console.log(`  projected arrays for 21M such passages: ${(((arrayBytes / n) * 21e6) / 2 ** 30).toFixed(1)} GiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
