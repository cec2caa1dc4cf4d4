#!/usr/bin/env node
// BM25 benchmark, all figures from one run (issue 14):
// - corpora: the shipped 22.5k Wikipedia paragraphs, and generated corpora (BENCH_SCALE_DOCS, default 1M and 5M)
//   whose words are drawn from the shipped paragraphs' unigram distribution (gen-corpus.mjs), 40-120 words each;
// - query sets: the 2,061 StrategyQA questions, the 2,061 FLAN rationales (long, as KARD's preprocessing queries),
//   and 2,061 6-word synthetic queries;
// - per corpus x query set: q/s of the default (pruned) search on one thread and on all threads, of the exhaustive
//   scorer on one thread, and the share of identical top-10s (ids and scores); all threads: a search pool started
//   once per corpus (its start time reported apart), answering the queries the single-thread pass answered;
// - builds in child processes (peak RSS from getrusage): today's single-thread builder (bundled from
//   BENCH_BASELINE_COMMIT), 1 thread and all threads; index bytes per passage; load time and resident memory;
// - peers: LanceDB's native full-text search (Rust BM25) on every corpus, the JS engines on the 22.5k corpus;
// - a projection to 21M passages, and the issue's targets as PASS/FAIL lines.
// Results: tools/bench/retrieval/results/bm25.{json,md}, written atomically.
// Run: npm run bench:retrieval   (BENCH_SCALE_DOCS=0 skips the generated corpora; BENCH_QUERY_SECONDS caps each
// timed pass, default 20; generated corpora and indexes are cached under node_modules/.cache/kard-bench-retrieval)
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHIPPED_CORPUS, syntheticQueries, unigram, writeCorpus } from './gen-corpus.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const { Bm25Index } = require('@kard/retriever');
const MiniSearch = require('minisearch');
const bm25 = require('wink-bm25-text-search');
const nlp = require('wink-nlp-utils');
const { Index: FlexIndex } = require('flexsearch');

const K = 10;
/** Each timed pass answers queries until this many seconds have passed (all of them when fast enough). */
const QUERY_SECONDS = Number(process.env.BENCH_QUERY_SECONDS ?? 20);
const SCALE_DOCS = (process.env.BENCH_SCALE_DOCS ?? '1000000,5000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const THREADS = Number(process.env.BENCH_THREADS ?? os.availableParallelism());
const CACHE = process.env.BENCH_CACHE ?? path.join(root, 'node_modules/.cache/kard-bench-retrieval');
const RESULTS = path.join(here, 'results');
/** The last commit before issue 14's builder and scorer: "today's" builder, the baseline. */
const BASELINE_COMMIT = process.env.BENCH_BASELINE_COMMIT ?? 'd2b6c95';
const PROJECT_DOCS = 21_000_000;
const GiB = 2 ** 30;

const readJsonl = (f) =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const passages = SHIPPED_CORPUS.flatMap(readJsonl);
const strategyQa = JSON.parse(fs.readFileSync(path.join(root, 'datasets/strategyqa/train.json'), 'utf8')).map(
  (q) => q.question,
);
const flanRationales = fs
  .readFileSync(path.join(root, 'datasets/flan-cot/strategyqa_train.tsv'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split('\t')[2]);
let queries = strategyQa; // the JS peers' query set
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

function log(line = '') {
  console.log(line);
}

/** Runs bench-child.mjs and returns its JSON line. */
function child(args) {
  const r = spawnSync(process.execPath, [path.join(here, 'bench-child.mjs'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bench-child ${args.slice(0, 3).join(' ')} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * Today's builder as it was at BASELINE_COMMIT: its sources (retriever, knowledge-base, core) taken from git and
 * bundled with esbuild into one CommonJS file, so the baseline is measured in the same run on the same machine.
 */
async function baselineBundle() {
  const commit = execFileSync('git', ['rev-parse', '--short', BASELINE_COMMIT], { cwd: root, encoding: 'utf8' }).trim();
  const file = path.join(CACHE, `baseline-${commit}.cjs`);
  if (fs.existsSync(file)) return { file, commit };
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-baseline-'));
  try {
    const tar = execFileSync(
      'git',
      ['archive', commit, 'packages/core', 'packages/knowledge-base', 'packages/retriever'],
      {
        cwd: root,
        maxBuffer: 1 << 28,
      },
    );
    execFileSync('tar', ['-x', '-C', src], { input: tar });
    const esbuild = require('esbuild');
    const tmp = `${file}.tmp-${process.pid}`;
    await esbuild.build({
      entryPoints: [path.join(src, 'packages/retriever/src/sparse/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: tmp,
      logLevel: 'error',
      plugins: [
        {
          name: 'kard-at-commit',
          setup(b) {
            b.onResolve({ filter: /^@kard\// }, (a) => ({
              path: path.join(src, 'packages', a.path.slice('@kard/'.length), 'src/index.ts'),
            }));
            b.onResolve({ filter: /^[^./]/ }, (a) => ({ path: a.path, external: true }));
          },
        },
      ],
    });
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
  return { file, commit };
}

const dirBytes = (dir) => fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);

/**
 * Queries per second of `search` over `qs` (a warm-up of 50 first), stopping after QUERY_SECONDS. Give each pass
 * its own index object (`fresh`): an index caches its query tokens' analysis, and a pass run after another on the
 * same object would skip the stemming the first one paid for.
 */
function timedPass(qs, search, seconds = QUERY_SECONDS) {
  for (const q of qs.slice(0, 50)) search(q);
  const lists = [];
  const t = process.hrtime.bigint();
  let elapsed = 0;
  while (lists.length < qs.length && elapsed < seconds) {
    lists.push(search(qs[lists.length]));
    elapsed = Number(process.hrtime.bigint() - t) / 1e9;
  }
  return { qps: lists.length / elapsed, queries: lists.length, lists };
}

const sameList = (a, b) => a.length === b.length && a.every((h, i) => h.id === b[i].id && h.score === b[i].score);

/** The median of an odd number of timings. */
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** Another index object over the same arrays, with an empty query-token cache. */
const fresh = (index) => new index.constructor(index.data, index.arrays);

/**
 * The search pool's steady state (pruning forced, as the single-thread column): a warm-up of 500 queries per
 * thread, then the very queries the single-thread pass answered in its QUERY_SECONDS (started once per corpus by
 * measureCorpus, so worker start-up is not in it). The workers are new isolates whose compiler has seen nothing,
 * where the single-thread pass runs on code this process has compiled since the first corpus: after 50 queries a
 * thread, the first pass over the 2,061 StrategyQA questions at 1M passages ran at 1,479 q/s and the next three
 * at 1,592-1,703; after 500, all four ran at 1,644-1,701.
 */
async function poolPass(pool, qs, single) {
  await pool.search(qs.slice(0, 500 * THREADS), K, { exhaustive: false });
  const batch = qs.slice(0, single.queries);
  const t = process.hrtime.bigint();
  const lists = await pool.search(batch, K, { exhaustive: false });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  let same = 0;
  for (let i = 0; i < batch.length; i++) if (sameList(lists[i], single.lists[i])) same++;
  return { qps: batch.length / seconds, queries: batch.length, identicalToSingle: same / batch.length };
}

/**
 * Pruned against exhaustive on the same queries, alternating, 3 rounds, medians. The exhaustive scorer is bound by
 * random memory access (its accumulator and norms span every document), and its speed varied about 2x between runs
 * and processes here (TLB and cache state); one pass of each in sequence made their ratio depend on when each ran.
 * The query count is what the exhaustive scorer answers in a third of QUERY_SECONDS (every query when fast). Each
 * pass runs on its own index object.
 */
function interleaved(index, qs) {
  const probeIndex = fresh(index);
  const probe = timedPass(qs, (q) => probeIndex.search(q, K, { exhaustive: true }), QUERY_SECONDS / 3);
  const subset = qs.slice(0, probe.queries);
  const rounds = { pruned: [], exhaustive: [] };
  let last;
  for (let r = 0; r < 3; r++) {
    const a = fresh(index);
    const p = timedPass(subset, (q) => a.search(q, K, { exhaustive: false }), Infinity);
    const b = fresh(index);
    const e = timedPass(subset, (q) => b.search(q, K, { exhaustive: true }), Infinity);
    rounds.pruned.push(p.qps);
    rounds.exhaustive.push(e.qps);
    last = { p, e };
  }
  let identical = 0;
  for (let i = 0; i < subset.length; i++) if (sameList(last.p.lists[i], last.e.lists[i])) identical++;
  return {
    queries: subset.length,
    pruned: median(rounds.pruned),
    exhaustive: median(rounds.exhaustive),
    rounds,
    identical: subset.length ? identical / subset.length : null,
  };
}

async function measureQueries(index, pool, qs) {
  // q/s of pruning over the whole set (as many queries as QUERY_SECONDS allows): the single-thread figure the pool
  // and LanceDB are compared with
  const prunedIndex = fresh(index);
  const pruned = timedPass(qs, (q) => prunedIndex.search(q, K, { exhaustive: false }));
  const same = interleaved(index, qs);
  const parallel = pool ? await poolPass(pool, qs, pruned) : null;
  return {
    pruned1T: { qps: pruned.qps, queries: pruned.queries },
    prunedAllThreads: parallel,
    exhaustive1T: { qps: same.exhaustive, queries: same.queries },
    prunedVsExhaustive: same,
    identicalTop10: { compared: same.queries, share: same.identical },
  };
}

/**
 * A native peer from tools/bench/peers, installed there on first use (`npm install`, which skips the optional
 * binaries of other platforms that the registry may lack; a root devDependency would make the root `npm ci` refuse
 * the lock file for them).
 */
function requirePeer(name) {
  const peers = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers');
  const need = () => createRequire(path.join(peers, 'package.json'))(name);
  try {
    return need();
  } catch {
    console.error(`[bench] installing the benchmark peers in ${peers} (npm install)`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: peers,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error(`npm install exited ${r.status}`);
    return need();
  }
}

/** LanceDB's native FTS (BM25 in Rust) over the same passages: table + index build time, then q/s per query set. */
async function measureLance(name, files, querySets) {
  let lancedb;
  try {
    lancedb = requirePeer('@lancedb/lancedb');
  } catch (err) {
    return { error: `@lancedb/lancedb could not be installed in tools/bench/peers: ${err.message}` };
  }
  const dir = path.join(CACHE, `lance-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const db = await lancedb.connect(dir);
  const t = process.hrtime.bigint();
  let table;
  let batch = [];
  const flush = async () => {
    if (!batch.length) return;
    if (table) await table.add(batch);
    else table = await db.createTable('passages', batch);
    batch = [];
  };
  const { readPassages } = require('@kard/knowledge-base');
  for (const f of files)
    for await (const p of readPassages(f)) {
      batch.push({ id: p.id, text: p.title ? `${p.title}\n${p.text}` : p.text });
      if (batch.length === 100_000) await flush();
    }
  await flush();
  const ingestSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const t2 = process.hrtime.bigint();
  await table.createIndex('text', {
    config: lancedb.Index.fts({ withPosition: false, stem: true, removeStopWords: true, lowercase: true }),
  });
  const indexSeconds = Number(process.hrtime.bigint() - t2) / 1e9;
  const out = { ingestSeconds, indexSeconds, indexBytes: null, sets: {} };
  for (const [set, qs] of Object.entries(querySets)) {
    let errors = 0;
    const search = async (q) => {
      try {
        return await table.query().fullTextSearch(q).limit(K).select(['id', '_score']).toArray();
      } catch {
        errors++;
        return [];
      }
    };
    for (const q of qs.slice(0, 20)) await search(q);
    let n = 0;
    const t3 = process.hrtime.bigint();
    let elapsed = 0;
    while (n < qs.length && elapsed < QUERY_SECONDS) {
      await search(qs[n++]);
      elapsed = Number(process.hrtime.bigint() - t3) / 1e9;
    }
    out.sets[set] = { qps: n / elapsed, queries: n, errors };
  }
  table.close?.();
  db.close?.();
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/**
 * The default search (which prunes only from PRUNE_MIN_DOCUMENTS) against today's search (BASELINE_COMMIT's
 * Bm25Index, bundled), each on an index of its own built from the same passages: the 22.5k no-regression check.
 */
async function measureDefaultVsToday(files, qs, baseline) {
  const { readPassages } = require('@kard/knowledge-base');
  async function* all() {
    for (const f of files) yield* readPassages(f);
  }
  const today = await require(baseline.file).Bm25Index.build(all());
  const ours = fresh(Bm25Index.load(path.join(CACHE, 'index-shipped-22.5k')));
  const rounds = { today: [], default: [] };
  // interleaved rounds, medians: the two are close, and this machine is noisy
  for (let r = 0; r < 3; r++) {
    const a = fresh(today);
    rounds.today.push(timedPass(qs, (q) => a.search(q, K)).qps);
    const b = fresh(ours);
    rounds.default.push(timedPass(qs, (q) => b.search(q, K)).qps);
  }
  let identical = 0;
  for (const q of qs) if (sameList(today.search(q, K), ours.search(q, K))) identical++;
  return { today: median(rounds.today), default: median(rounds.default), rounds, identical: identical / qs.length };
}

async function measureCorpus(corpus, querySets, baseline) {
  const { name, files, docs } = corpus;
  log(`\n== ${name}: ${docs.toLocaleString()} passages`);
  const indexDir = path.join(CACHE, `index-${name}`);
  const builds = {
    baseline: child(['build', baseline.file, '1', '-', ...files]),
    threads1: child(['build', 'current', '1', '-', ...files]),
    threadsAll: child(['build', 'current', String(THREADS), indexDir, ...files]),
  };
  for (const [k, b] of Object.entries(builds))
    log(
      `  build ${k.padEnd(10)} ${b.buildSeconds.toFixed(1).padStart(7)} s  peak RSS ${(b.maxRssBytes / GiB).toFixed(2)} GiB`,
    );
  const indexBytes = dirBytes(indexDir);
  const load = child(['load', indexDir]);
  log(
    `  index ${(indexBytes / docs).toFixed(0)} bytes/passage; load ${load.loadSeconds.toFixed(2)} s, RSS ${(load.maxRssBytes / GiB).toFixed(2)} GiB`,
  );
  // shared, as a server loads it for its search threads (the pool then copies nothing)
  const index = Bm25Index.load(indexDir, { shared: true });
  let pool = null;
  let poolStartSeconds = null;
  if (typeof index.searchPool === 'function') {
    const t = process.hrtime.bigint();
    pool = index.searchPool({ threads: THREADS });
    await pool.ready();
    poolStartSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    log(`  search pool (${THREADS} threads) started in ${poolStartSeconds.toFixed(3)} s`);
  }
  const sets = {};
  try {
    for (const [set, qs] of Object.entries(querySets)) {
      sets[set] = await measureQueries(index, pool, qs);
      const r = sets[set];
      const all = r.prunedAllThreads;
      log(
        `  ${set.padEnd(12)} pruned 1T ${r.pruned1T.qps.toFixed(0).padStart(7)} q/s  all ${all ? all.qps.toFixed(0).padStart(7) : '    n/a'} q/s` +
          `${all ? ` (${(all.qps / r.pruned1T.qps).toFixed(2)}x, identical ${(100 * all.identicalToSingle).toFixed(1)}%)` : ''}  ` +
          `exhaustive ${r.exhaustive1T.qps.toFixed(0).padStart(7)} q/s (pruned ${r.prunedVsExhaustive.pruned.toFixed(0)} q/s on the same ` +
          `${r.prunedVsExhaustive.queries} queries, interleaved: ${(r.prunedVsExhaustive.pruned / r.prunedVsExhaustive.exhaustive).toFixed(1)}x)  ` +
          `identical top-10 ${(100 * (r.identicalTop10.share ?? 0)).toFixed(1)}% of ${r.identicalTop10.compared}`,
      );
    }
  } finally {
    await pool?.close();
  }
  let defaultVsToday = null;
  if (name === 'shipped-22.5k') {
    defaultVsToday = await measureDefaultVsToday(files, querySets.strategyqa, baseline);
    log(
      `  default search ${defaultVsToday.default.toFixed(0)} q/s, today's (${baseline.commit}) ${defaultVsToday.today.toFixed(0)} q/s ` +
        `(StrategyQA, medians of 3 interleaved), identical top-10 ${(100 * defaultVsToday.identical).toFixed(1)}%`,
    );
  }
  const lance = await measureLance(name, files, querySets);
  if (lance.error) log(`  LanceDB: ${lance.error}`);
  else
    log(
      `  LanceDB FTS: ingest ${lance.ingestSeconds.toFixed(1)} s, index ${lance.indexSeconds.toFixed(1)} s; ` +
        Object.entries(lance.sets)
          .map(([s, r]) => `${s} ${r.qps.toFixed(0)} q/s${r.errors ? ` (${r.errors} errors)` : ''}`)
          .join(', '),
    );
  return {
    name,
    docs,
    builds,
    indexBytes,
    indexBytesPerPassage: indexBytes / docs,
    load,
    poolStartSeconds,
    sets,
    defaultVsToday,
    lance,
  };
}

function jsPeers() {
  queries = strategyQa;
  const out = {};
  for (const [name, fn] of [
    ['MiniSearch', measureMiniSearch],
    ['wink-bm25-text-search', measureWink],
    ['flexsearch (any-term)', measureFlexsearch],
  ]) {
    const r = fn();
    out[name] = { buildSeconds: r.buildSeconds, qps: r.qps, queries: r.queries };
    log(`  ${name.padEnd(24)} build ${r.buildSeconds.toFixed(2)} s, ${r.qps.toFixed(0)} q/s (StrategyQA questions)`);
  }
  return out;
}

function ratio(a, b) {
  return a !== undefined && a !== null && b ? a / b : null;
}

/** The issue's targets as PASS/FAIL lines, each with its ratio; a target whose corpus is not in the run is n/a. */
function targets(results) {
  const lines = [];
  const add = (label, ok, detail) => lines.push({ label, status: ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL', detail });
  const gen = results.corpora.filter((c) => c.name.startsWith('gen-'));
  const at = (n) => gen.find((c) => c.docs === n);
  const oneM = at(1_000_000) ?? gen[0];
  const note = (c, n) =>
    c && c.docs !== n ? ` [measured at ${c.docs.toLocaleString()}, not ${n.toLocaleString()}: indicative]` : '';
  if (oneM) {
    const s = oneM.sets.strategyqa;
    const r = ratio(s.prunedVsExhaustive.pruned, s.prunedVsExhaustive.exhaustive);
    add(
      'pruned 1T >= 10x exhaustive, 100% identical top-10 (StrategyQA questions)',
      r >= 10 && s.identicalTop10.share === 1,
      `${r?.toFixed(1)}x, identical ${(100 * s.identicalTop10.share).toFixed(1)}%${note(oneM, 1_000_000)}`,
    );
    const rt = ratio(s.prunedAllThreads?.qps, s.pruned1T.qps);
    const same = s.prunedAllThreads?.identicalToSingle;
    add(
      `pruned all threads (${THREADS}) >= 1.7x pruned 1T, identical results`,
      rt === null ? null : rt >= 1.7 && same === 1,
      rt === null
        ? 'no search pool in this build'
        : `${rt.toFixed(2)}x, identical ${(100 * same).toFixed(1)}%${note(oneM, 1_000_000)}`,
    );
    const lance = oneM.lance.sets?.strategyqa?.qps;
    const rl = ratio(s.pruned1T.qps, lance);
    add(
      'pruned 1T >= 2x LanceDB FTS (StrategyQA questions)',
      rl === null ? null : rl >= 2,
      rl === null ? 'LanceDB not measured' : `${rl.toFixed(1)}x${note(oneM, 1_000_000)}`,
    );
    const rb = ratio(oneM.builds.baseline.buildSeconds, oneM.builds.threadsAll.buildSeconds);
    add(
      `build all threads >= 3x today's build`,
      rb >= 3,
      `${rb.toFixed(2)}x (${oneM.builds.baseline.buildSeconds.toFixed(1)} s -> ${oneM.builds.threadsAll.buildSeconds.toFixed(1)} s)${note(oneM, 1_000_000)}`,
    );
  } else add('targets at 1M', null, 'no generated corpus in this run (BENCH_SCALE_DOCS)');
  const big = at(5_000_000) ?? gen[gen.length - 1];
  if (big) {
    const peak = Math.max(big.builds.threads1.maxRssBytes, big.builds.threadsAll.maxRssBytes);
    add('5M build peak RSS < 16 GiB', peak < 16 * GiB, `${(peak / GiB).toFixed(2)} GiB${note(big, 5_000_000)}`);
    add(
      '21M projection: build < 24 GiB',
      results.projection.buildBytes < 24 * GiB,
      `${(results.projection.buildBytes / GiB).toFixed(1)} GiB`,
    );
    add(
      '21M projection: serve < 12 GiB',
      results.projection.serveBytes < 12 * GiB,
      `${(results.projection.serveBytes / GiB).toFixed(1)} GiB`,
    );
  }
  const shipped = results.corpora.find((c) => c.name === 'shipped-22.5k');
  if (shipped?.defaultVsToday) {
    const d = shipped.defaultVsToday;
    const r = ratio(d.default, d.today);
    add(
      // within timing noise (10 %) of today's search, and in its 20k q/s class
      "22.5k: no regression (default search >= 0.9x today's, >= 20k q/s, StrategyQA)",
      r >= 0.9 && d.default >= 20_000 && d.identical === 1,
      `${d.default.toFixed(0)} q/s, ${r.toFixed(2)}x today's ${d.today.toFixed(0)} q/s, identical ${(100 * d.identical).toFixed(1)}%`,
    );
  }
  return lines;
}

/** Memory for 21M passages from the largest generated corpus's per-passage figures (above an idle node). */
function projection(corpora, idle) {
  const gen = corpora.filter((c) => c.name.startsWith('gen-'));
  const c = gen[gen.length - 1] ?? corpora[corpora.length - 1];
  const base = idle.maxRssBytes;
  const buildPeak = Math.max(c.builds.threads1.maxRssBytes, c.builds.threadsAll.maxRssBytes);
  const perBuild = (buildPeak - base) / c.docs;
  const perServe = (c.load.maxRssBytes - base) / c.docs;
  return {
    from: c.name,
    docs: PROJECT_DOCS,
    idleNodeBytes: base,
    buildBytesPerPassage: perBuild,
    serveBytesPerPassage: perServe,
    indexBytesPerPassage: c.indexBytesPerPassage,
    // linear in passages: an upper bound for a build whose segments spill to disk
    buildBytes: base + perBuild * PROJECT_DOCS,
    serveBytes: base + perServe * PROJECT_DOCS,
  };
}

function markdown(r) {
  const f = (x, d = 0) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
  const out = [
    `# BM25 retrieval benchmark`,
    '',
    `${r.date}, node ${r.node}, ${r.cpus} cores (${r.threads} threads used), k = ${K}, each timed pass capped at ${QUERY_SECONDS} s. ` +
      `Baseline builder: commit ${r.baselineCommit}.`,
    '',
    '## Queries (q/s)',
    '',
    '| corpus | query set | pruned 1T | pruned all threads | all / 1T | exhaustive 1T | pruned / exhaustive | identical top-10 | LanceDB FTS | pruned / LanceDB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of r.corpora)
    for (const [set, s] of Object.entries(c.sets)) {
      const lance = c.lance.sets?.[set]?.qps;
      out.push(
        `| ${c.name} | ${set} | ${f(s.pruned1T.qps)} | ${f(s.prunedAllThreads?.qps)} | ${f(ratio(s.prunedAllThreads?.qps, s.pruned1T.qps), 2)}x | ${f(s.exhaustive1T.qps)} | ` +
          `${f(ratio(s.prunedVsExhaustive.pruned, s.prunedVsExhaustive.exhaustive), 1)}x | ${f(100 * (s.identicalTop10.share ?? 0), 1)}% of ${s.identicalTop10.compared} | ` +
          `${f(lance)} | ${f(ratio(s.pruned1T.qps, lance), 1)}x |`,
      );
    }
  const shipped = r.corpora.find((c) => c.defaultVsToday);
  out.push(
    '',
    `"pruned" forces pruning ({ exhaustive: false }); by default an index prunes from ${r.pruneMinDocuments.toLocaleString()} ` +
      'documents and scores exhaustively below. Each timed pass runs on its own index object (cold query-token cache). ' +
      '"exhaustive 1T" and "pruned / exhaustive" come from the two alternating over the same queries (as many as the ' +
      'exhaustive scorer answers in a third of the pass time), 3 rounds, medians; "pruned 1T" is a pass over the whole set.',
  );
  if (shipped)
    out.push(
      '',
      `Default search on ${shipped.name} (StrategyQA, medians of 3 interleaved passes): ${f(shipped.defaultVsToday.default)} q/s, ` +
        `today's search (${r.baselineCommit}) ${f(shipped.defaultVsToday.today)} q/s: ${f(ratio(shipped.defaultVsToday.default, shipped.defaultVsToday.today), 2)}x.`,
    );
  out.push(
    '',
    '## Builds and memory',
    '',
    "| corpus | passages | today's build s | 1 thread s | all threads s | all / today | peak RSS 1T GiB | peak RSS all GiB | index bytes/passage | load s | loaded RSS GiB | search pool start s | LanceDB ingest + index s |",
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of r.corpora) {
    const b = c.builds;
    out.push(
      `| ${c.name} | ${c.docs.toLocaleString()} | ${f(b.baseline.buildSeconds, 1)} | ${f(b.threads1.buildSeconds, 1)} | ${f(b.threadsAll.buildSeconds, 1)} | ` +
        `${f(ratio(b.baseline.buildSeconds, b.threadsAll.buildSeconds), 2)}x | ${f(b.threads1.maxRssBytes / GiB, 2)} | ${f(b.threadsAll.maxRssBytes / GiB, 2)} | ` +
        `${f(c.indexBytesPerPassage)} | ${f(c.load.loadSeconds, 2)} | ${f(c.load.maxRssBytes / GiB, 2)} | ${f(c.poolStartSeconds, 3)} | ` +
        `${c.lance.error ? 'n/a' : `${f(c.lance.ingestSeconds, 1)} + ${f(c.lance.indexSeconds, 1)}`} |`,
    );
  }
  const p = r.projection;
  out.push(
    '',
    `## Projection to ${p.docs.toLocaleString()} passages (from ${p.from})`,
    '',
    `build ${f(p.buildBytes / GiB, 1)} GiB (${f(p.buildBytesPerPassage)} bytes/passage), serve ${f(p.serveBytes / GiB, 1)} GiB (${f(p.serveBytesPerPassage)} bytes/passage), index ${f((p.indexBytesPerPassage * p.docs) / GiB, 1)} GiB on disk`,
    '',
    '## JS peers (shipped 22.5k, StrategyQA questions, one thread)',
    '',
    '| engine | build s | q/s |',
    '|---|---:|---:|',
  );
  for (const [name, x] of Object.entries(r.jsPeers)) out.push(`| ${name} | ${f(x.buildSeconds, 2)} | ${f(x.qps)} |`);
  out.push('', '## Targets', '');
  for (const t of r.targets) out.push(`- **${t.status}** ${t.label}: ${t.detail}`);
  return `${out.join('\n')}\n`;
}

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function main() {
  fs.mkdirSync(CACHE, { recursive: true });
  log(
    `node ${process.version}, ${os.availableParallelism()} cores, ${THREADS} threads, k = ${K}; corpora: shipped 22.5k` +
      `${SCALE_DOCS.map((n) => `, generated ${n.toLocaleString()}`).join('')}`,
  );
  const dist = unigram();
  const querySets = {
    strategyqa: strategyQa,
    'flan-rationale': flanRationales,
    'synthetic-6w': syntheticQueries(strategyQa.length, { dist }),
  };
  const baseline = await baselineBundle();
  const idle = child(['idle']);
  const corpora = [{ name: 'shipped-22.5k', files: SHIPPED_CORPUS, docs: passages.length }];
  for (const n of SCALE_DOCS) {
    const file = path.join(CACHE, `gen-${n}.jsonl`);
    if (!fs.existsSync(file)) {
      log(`generating ${n.toLocaleString()} passages -> ${file}`);
      await writeCorpus(file, n, { dist });
    }
    corpora.push({ name: `gen-${n}`, files: [file], docs: n });
  }
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.availableParallelism(),
    threads: THREADS,
    k: K,
    querySeconds: QUERY_SECONDS,
    baselineCommit: baseline.commit,
    pruneMinDocuments: require('@kard/retriever').PRUNE_MIN_DOCUMENTS,
    querySets: Object.fromEntries(Object.entries(querySets).map(([k, v]) => [k, v.length])),
    corpora: [],
  };
  for (const c of corpora) results.corpora.push(await measureCorpus(c, querySets, baseline));
  log('\n== JS peers on the shipped corpus');
  results.jsPeers = jsPeers();
  results.projection = projection(results.corpora, idle);
  results.targets = targets(results);
  const p = results.projection;
  log(
    `\nprojection to ${p.docs.toLocaleString()} passages (from ${p.from}): build ${(p.buildBytes / GiB).toFixed(1)} GiB, serve ${(p.serveBytes / GiB).toFixed(1)} GiB`,
  );
  log('\ntargets:');
  for (const t of results.targets) log(`  ${t.status.padEnd(4)} ${t.label}: ${t.detail}`);
  writeAtomic(path.join(RESULTS, 'bm25.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(path.join(RESULTS, 'bm25.md'), markdown(results));
  log(`\nwrote ${path.relative(root, path.join(RESULTS, 'bm25.json'))} and bm25.md`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
