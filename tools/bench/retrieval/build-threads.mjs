#!/usr/bin/env node
// Segmented (worker-thread) BM25 build against today's single-threaded builder on one generated corpus: build time,
// peak RSS (each build in its own process), and a byte-for-byte comparison of the saved index files.
// Passages: 40-120 words drawn from the unigram distribution of the shipped Wikipedia paragraphs (raw words, so
// analysis, stop words and stemming run as on real text), written once to a JSONL file and built with buildFiles.
// Then threaded search on the built index: the 2,061 StrategyQA questions, k = 10, searchBatch (one thread) against
// searchBatchParallel (all cores), with the share of identical results.
// Run: npx nx run @kard/retriever:build && BENCH_BUILD_DOCS=200000 nice -n 10 node tools/bench/retrieval/build-threads.mjs
//      [BENCH_BUILD_THREADS=1,2] [BENCH_BUILD_DIR=/tmp/kard-bench-build]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLine } from '../lib/host.mjs';
import { random } from '../lib/random.mjs';

const require = createRequire(import.meta.url);
const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '../../..');
const N = Number(process.env.BENCH_BUILD_DOCS ?? 200_000);
const THREADS = (process.env.BENCH_BUILD_THREADS ?? `1,${os.availableParallelism()}`).split(',').map(Number);
const DIR = process.env.BENCH_BUILD_DIR ?? path.join(os.tmpdir(), 'kard-bench-build');

if (process.argv[2] === '--search') await searchChild(process.argv[3]);
else if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), process.argv[5]);
else await main();

/** One build in this process; prints a JSON line with its figures. threads 0 = today's in-thread builder. */
async function child(corpus, threads, out) {
  const { Bm25Index } = require('@kard/retriever');
  const t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  // threads > 0: the workers parse the file too (buildFiles); 0: readPassages into the in-thread builder
  const { index } = await Bm25Index.buildFiles([corpus], { threads, tempDir: path.dirname(out) });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpu0); // all threads of the process (on a loaded machine, the steadier figure)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await index.save(out, { overwrite: true });
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ threads, seconds, cpuSeconds, peakRssMiB, documents: index.size, terms: index.termCount }),
  );
}

/** q/s of searchBatch against searchBatchParallel (all cores) on the StrategyQA questions; results compared. */
async function searchChild(dir) {
  const { Bm25Index } = require('@kard/retriever');
  const index = Bm25Index.load(dir);
  const questions = JSON.parse(fs.readFileSync(path.join(root, 'datasets/strategyqa/train.json'), 'utf8')).map(
    (q) => q.question,
  );
  index.searchBatch(questions.slice(0, 50), 10); // warm up
  let t = process.hrtime.bigint();
  const one = index.searchBatch(questions, 10);
  const oneSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const all = await index.searchBatchParallel(questions, 10);
  const allSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const same = one.filter((hits, i) => JSON.stringify(hits) === JSON.stringify(all[i])).length;
  console.log(
    JSON.stringify({
      queries: questions.length,
      oneQps: questions.length / oneSeconds,
      allQps: questions.length / allSeconds,
      same,
    }),
  );
}

function generate(file) {
  const words = ['strategyqa_paragraphs.jsonl', 'hotpotqa_paragraphs.jsonl'].flatMap((f) =>
    fs
      .readFileSync(path.join(root, 'datasets/wikipedia', f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => JSON.parse(l).text.split(/\s+/).filter(Boolean)),
  );
  const rand = random(42);
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let lines = [];
  for (let i = 0; i < N; i++) {
    const len = 40 + Math.floor(rand() * 81);
    const w = new Array(len);
    for (let j = 0; j < len; j++) w[j] = words[Math.floor(rand() * words.length)];
    lines.push(JSON.stringify({ id: `doc${i}`, title: `Title ${i % 5000}`, text: w.join(' ') }));
    if (lines.length === 10_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) fs.writeSync(fd, `${lines.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
}

function sameFiles(a, b) {
  const files = fs.readdirSync(a).filter((f) => f !== 'manifest.json');
  for (const f of files) if (!fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f)))) return f;
  const strip = (d) => {
    const m = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
    delete m.createdAt;
    return JSON.stringify(m);
  };
  return strip(a) === strip(b) ? null : 'manifest.json';
}

async function main() {
  fs.mkdirSync(DIR, { recursive: true });
  const corpus = path.join(DIR, `corpus-${N}.jsonl`);
  if (!fs.existsSync(corpus)) generate(corpus);
  console.log(
    `corpus ${corpus}: ${N.toLocaleString()} passages, ${(fs.statSync(corpus).size / 2 ** 20).toFixed(0)} MiB`,
  );
  const runs = [];
  for (const threads of [0, ...THREADS]) {
    const out = path.join(DIR, `index-${N}-t${threads}`);
    const line = execFileSync(process.execPath, [here, '--child', corpus, String(threads), out], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const r = JSON.parse(line.trim().split('\n').pop());
    r.out = out;
    runs.push(r);
  }
  const base = runs[0];
  const search = JSON.parse(
    execFileSync(process.execPath, [here, '--search', base.out], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .pop(),
  );
  console.log(loadLine());
  console.log(
    '| build | threads | seconds | speed-up vs today | CPU s (all threads) | peak RSS (MiB) | index files equal to today |',
  );
  console.log(
    '| ----- | ------: | ------: | ----------------: | ------------------: | -------------: | -------------------------- |',
  );
  for (const r of runs) {
    const diff = r === base ? '' : sameFiles(base.out, r.out);
    console.log(
      `| ${r.threads === 0 ? 'today (Bm25Builder)' : 'segmented'} | ${r.threads || 1} | ${r.seconds.toFixed(2)} | ` +
        `${(base.seconds / r.seconds).toFixed(2)}x | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ${r === base ? '-' : diff === null ? 'yes' : `NO (${diff})`} |`,
    );
  }
  console.log(
    `\nsearch, ${search.queries} StrategyQA questions, k = 10: one thread ${search.oneQps.toFixed(0)} q/s, ` +
      `${os.availableParallelism()} threads (searchBatchParallel, worker start-up included) ${search.allQps.toFixed(0)} q/s ` +
      `(${(search.allQps / search.oneQps).toFixed(2)}x); identical results ${((100 * search.same) / search.queries).toFixed(1)}%`,
  );
}
