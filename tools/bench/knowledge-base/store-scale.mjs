#!/usr/bin/env node
// Synthetic scale check of @kard/knowledge-base's PassageStore, against the naive baseline measured in the same run
// (every passage in a JS Map). Reports build time, bytes per passage on disk, memory once open, and random-access
// lookups/s, to show the path to 21M Wikipedia passages on a 24 GiB machine.
//
//   npx nx run @kard/knowledge-base:build && node tools/bench/knowledge-base/store-scale.mjs [--n 1000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  // Memory deltas mean something only after a full collection: rerun with --expose-gc.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(root, 'package.json'));
let kb;
try {
  kb = require('@kard/knowledge-base');
} catch (err) {
  console.error('build the package first: npx nx run @kard/knowledge-base:build');
  throw err;
}
const { PassageStore } = kb;

const argN = process.argv.indexOf('--n');
const N = argN > 0 ? Number(process.argv[argN + 1]) : 1_000_000;
const LOOKUPS = 200_000;
const WORDS = ['river', 'khan', 'empire', 'mongol', 'paragraph', 'cell', 'death', 'plant', 'the', 'of', 'a', 'founder'];

function* passages() {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  for (let i = 0; i < N; i++) {
    const words = [];
    for (let w = 0; w < 10; w++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
    yield { id: `Title_${i >> 4}-${(i & 15) + 1}`, title: `Title ${i >> 4}`, text: words.join(' ') };
  }
}

/** The passages, sampling RSS as they stream: the build's memory high-water mark. */
let peakRss = 0;
function* sampled(source) {
  let i = 0;
  for (const p of source) {
    if ((++i & 0xffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    yield p;
  }
}

/** After full collections; freed ArrayBuffer backing stores are released asynchronously, hence the pauses. */
async function memory() {
  for (let k = 0; k < 3; k++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.arrayBuffers };
}
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const rate = (n, ms) => Math.round((n * 1000) / ms);

// The same pseudo-random query ids for both contenders.
const queries = Array.from({ length: LOOKUPS }, (_, k) => {
  const i = (Math.imul(k, 2654435761) >>> 0) % N;
  return `Title_${i >> 4}-${(i & 15) + 1}`;
});

const work = mkdtempSync(path.join(tmpdir(), 'kb-bench-'));
try {
  // PassageStore
  await memory();
  let t = performance.now();
  const rssBefore = process.memoryUsage().rss;
  let built = await PassageStore.build(sampled(passages()), path.join(work, 'store'), { progress: false });
  const storeBuildPeak = Math.max(peakRss, process.memoryUsage().rss) - rssBefore;
  const storeBuildMs = performance.now() - t;
  built.close();
  built = null; // drop its arrays before measuring what a fresh open costs
  const dir = path.join(work, 'store');
  const diskBytes = readdirSync(dir).reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);
  const m1 = await memory();
  const store = PassageStore.open(dir);
  const m2 = await memory();
  t = performance.now();
  let hits = 0;
  for (const id of queries) if (store.get(id)) hits++;
  const storeGetMs = performance.now() - t;
  if (hits !== LOOKUPS) throw new Error(`store found ${hits}/${LOOKUPS} ids`);
  t = performance.now();
  for (let k = 0; k < LOOKUPS; k++) store.at((Math.imul(k, 2654435761) >>> 0) % N);
  const storeAtMs = performance.now() - t;
  t = performance.now();
  let scanned = 0;
  for (const _ of store) scanned++;
  const scanMs = performance.now() - t;
  const storeHeap = m2.heap - m1.heap;
  store.close();
  const afterStore = await memory();

  // Baseline: every passage in a Map.
  t = performance.now();
  peakRss = 0;
  const rssBeforeMap = process.memoryUsage().rss;
  const map = new Map();
  for (const p of sampled(passages())) map.set(p.id, p);
  const mapBuildPeak = Math.max(peakRss, process.memoryUsage().rss) - rssBeforeMap;
  const mapBuildMs = performance.now() - t;
  const m3 = await memory();
  t = performance.now();
  hits = 0;
  for (const id of queries) if (map.get(id)) hits++;
  const mapGetMs = performance.now() - t;
  const mapHeap = m3.heap - afterStore.heap;

  const rows = [
    ['', 'PassageStore', 'Map baseline', 'store/baseline'],
    [
      'build (s)',
      (storeBuildMs / 1000).toFixed(2),
      (mapBuildMs / 1000).toFixed(2),
      (storeBuildMs / mapBuildMs).toFixed(2),
    ],
    ['rss growth while building', mb(storeBuildPeak), mb(mapBuildPeak), (storeBuildPeak / mapBuildPeak).toFixed(3)],
    ['memory once loaded', mb(storeHeap), mb(mapHeap), (storeHeap / mapHeap).toFixed(3)],
    ['memory bytes/passage', (storeHeap / N).toFixed(1), (mapHeap / N).toFixed(1), ''],
    ['get(id) lookups/s', rate(LOOKUPS, storeGetMs), rate(LOOKUPS, mapGetMs), (mapGetMs / storeGetMs).toFixed(3)],
    ['at(row) reads/s', rate(LOOKUPS, storeAtMs), '', ''],
    ['sequential scan passages/s', rate(scanned, scanMs), '', ''],
  ];
  console.log(
    `${N} synthetic passages (~${Math.round(diskBytes / N)} bytes/passage on disk, ${mb(diskBytes)} in all), ` +
      `${LOOKUPS} random lookups, node ${process.version}`,
  );
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(i === 0 ? 28 : 16)).join(''));
  const perPassage = storeHeap / N;
  console.log(
    `extrapolated to 21M passages: ${mb(perPassage * 21e6)} of memory for an open store (text stays on disk)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
