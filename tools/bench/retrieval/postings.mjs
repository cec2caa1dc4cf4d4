#!/usr/bin/env node
// Posting compression and pruning, measured in one run: bytes per posting against queries/s for uint32 (what the
// index stores), delta + varint and bit-packed blocks of 128, then pruned against exhaustive search and the load
// time of the saved index. Corpus: generated passages whose words follow the unigram distribution of the shipped
// Wikipedia paragraphs, 40-120 words each (BENCH_DOCS, default 200,000); queries: the StrategyQA questions and
// their FLAN rationales. Times are CPU time of this process (steadier than wall time on a shared machine).
// Run: npx nx run @kard/retriever:build && nice node tools/bench/retrieval/postings.mjs [--json out.json]
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { Bm25Index } = require('@kard/retriever');
const { Rng } = require('@kard/core');

const DOCS = Number(process.env.BENCH_DOCS ?? 200_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const K = 10;
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;

const cpuSeconds = (fn) => {
  const t = process.cpuUsage();
  const value = fn();
  const u = process.cpuUsage(t);
  return { value, seconds: (u.user + u.system) / 1e6 };
};
const log = (s) => process.stderr.write(`${s}\n`);

// ---- corpus: unigram distribution of the shipped paragraphs
const counts = new Map();
for (const f of ['strategyqa_paragraphs.jsonl', 'hotpotqa_paragraphs.jsonl']) {
  for (const line of fs.readFileSync(path.join(root, 'datasets/wikipedia', f), 'utf8').split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line);
    for (const m of `${p.title}\n${p.text}`.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu))
      counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
}
const words = [...counts.keys()];
const cumulative = new Float64Array(words.length);
let total = 0;
words.forEach((w, i) => (cumulative[i] = total += counts.get(w)));
const rng = new Rng(2024);
const pick = () => {
  const x = rng.uniform() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return words[lo];
};
function* passages() {
  for (let i = 0; i < DOCS; i++) {
    const n = 40 + rng.int(81);
    const text = Array.from({ length: n }, pick).join(' ');
    yield { id: `gen-${i}`, title: '', text };
  }
}
log(`generating and indexing ${DOCS} passages ...`);
const built = cpuSeconds(() => Bm25Index.build(passages()));
const index = await built.value;
const { termOffsets, postingDocs, postingTfs } = index.data;
const postings = postingDocs.length;
log(`  ${postings} postings, ${index.termCount} terms`);

const tsv = fs.readFileSync(path.join(root, 'datasets/flan-cot/strategyqa_train.tsv'), 'utf8').split('\n');
const rows = tsv.filter(Boolean).map((l) => l.split('\t'));
const querySets = {
  questions: rows.slice(0, QUERIES).map((r) => r[0]),
  rationales: rows.slice(0, QUERIES).map((r) => r[2]),
};
const termIndex = new Map(index.data.terms.map((t, i) => [t, i]));
/** Term ids of a query as the index scores it: analysed tokens in order, repeats kept, unknown terms dropped. */
const termIds = (q) => index.analyzer.analyze(q).flatMap((term) => (termIndex.has(term) ? [termIndex.get(term)] : []));

// ---- encodings of the same postings (document gaps per term, tf as is)
function encodeVarint() {
  const out = new Uint8Array(postings * 3 + 16);
  const offsets = new Float64Array(termOffsets.length);
  let at = 0;
  const put = (v) => {
    while (v >= 0x80) {
      out[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[at++] = v;
  };
  for (let t = 0; t + 1 < termOffsets.length; t++) {
    offsets[t] = at;
    let previous = 0;
    for (let p = termOffsets[t]; p < termOffsets[t + 1]; p++) {
      put(postingDocs[p] - previous);
      previous = postingDocs[p];
      put(postingTfs[p]);
    }
  }
  offsets[termOffsets.length - 1] = at;
  return { bytes: out.subarray(0, at), offsets };
}
const bitsOf = (v) => 32 - Math.clz32(v);
function encodeBitpacked() {
  // Per block of 128: one byte of gap width, one of tf width, then the packed gaps and tfs (32-bit words).
  const words32 = [];
  const offsets = new Float64Array(termOffsets.length);
  for (let t = 0; t + 1 < termOffsets.length; t++) {
    offsets[t] = words32.length;
    let previous = 0;
    for (let s = termOffsets[t]; s < termOffsets[t + 1]; s += 128) {
      const e = Math.min(s + 128, termOffsets[t + 1]);
      let gw = 0;
      let tw = 0;
      for (let p = s; p < e; p++) {
        gw = Math.max(gw, bitsOf(postingDocs[p] - (p === s ? previous : postingDocs[p - 1])));
        tw = Math.max(tw, bitsOf(postingTfs[p]));
      }
      words32.push(gw | (tw << 8));
      for (const [w, value] of [
        [gw, (p) => postingDocs[p] - (p === s ? previous : postingDocs[p - 1])],
        [tw, (p) => postingTfs[p]],
      ]) {
        let acc = 0;
        let filled = 0;
        for (let p = s; p < e; p++) {
          const v = value(p);
          acc = (acc | (v << filled)) >>> 0;
          filled += w;
          if (filled >= 32) {
            words32.push(acc);
            filled -= 32;
            acc = filled > 0 ? v >>> (w - filled) : 0;
          }
        }
        if (filled > 0) words32.push(acc);
      }
      previous = postingDocs[e - 1];
    }
  }
  offsets[termOffsets.length - 1] = words32.length;
  return { words: Uint32Array.from(words32), offsets };
}

// Exhaustive term-at-a-time scoring of decoded postings, the same for every encoding: only decoding differs.
const { norms, idf } = index.arrays;
const acc = new Float64Array(index.size);
const touched = new Uint32Array(index.size);
const docsBuf = new Uint32Array(
  Math.max(...Array.from({ length: termOffsets.length - 1 }, (_, t) => termOffsets[t + 1] - termOffsets[t])),
);
const tfsBuf = new Uint32Array(docsBuf.length);
function score(terms, decode) {
  let count = 0;
  for (const t of terms) {
    const n = decode(t);
    const w = idf[t];
    for (let i = 0; i < n; i++) {
      const d = docsBuf[i];
      const tf = tfsBuf[i];
      if (acc[d] === 0) touched[count++] = d;
      acc[d] += (w * tf) / (tf + norms[d]);
    }
  }
  let best = 0;
  for (let i = 0; i < count; i++) {
    const d = touched[i];
    if (acc[d] > best) best = acc[d];
    acc[d] = 0;
  }
  return best;
}
const decodeUint32 = (t) => {
  const s = termOffsets[t];
  const n = termOffsets[t + 1] - s;
  docsBuf.set(postingDocs.subarray(s, s + n));
  tfsBuf.set(postingTfs.subarray(s, s + n));
  return n;
};
const varint = encodeVarint();
const decodeVarint = (t) => {
  const b = varint.bytes;
  let at = varint.offsets[t];
  const n = termOffsets[t + 1] - termOffsets[t];
  let doc = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[at++];
      v |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    docsBuf[i] = doc += v >>> 0;
    v = 0;
    shift = 0;
    do {
      byte = b[at++];
      v |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    tfsBuf[i] = v;
  }
  return n;
};
const packed = encodeBitpacked();
const decodePacked = (t) => {
  const w32 = packed.words;
  let at = packed.offsets[t];
  const n = termOffsets[t + 1] - termOffsets[t];
  let doc = 0;
  for (let s = 0; s < n; s += 128) {
    const e = Math.min(s + 128, n);
    const header = w32[at++];
    for (const [w, isDoc] of [
      [header & 0xff, true],
      [(header >>> 8) & 0xff, false],
    ]) {
      const mask = w === 32 ? 0xffffffff : (1 << w) - 1;
      let bit = 0;
      for (let i = s; i < e; i++) {
        let v = w32[at] >>> bit;
        if (bit + w > 32) v |= w32[at + 1] << (32 - bit);
        v = (v & mask) >>> 0;
        bit += w;
        if (bit >= 32) {
          bit -= 32;
          at++;
        }
        if (isDoc) docsBuf[i] = doc += v;
        else tfsBuf[i] = v;
      }
      if (bit > 0) at++;
    }
  }
  return n;
};

const tfBytes = postingTfs.BYTES_PER_ELEMENT;
const encodings = [
  { name: 'uint32 docs + uint16 tfs (stored)', bytes: postings * (4 + tfBytes), decode: decodeUint32 },
  { name: 'delta + varint', bytes: varint.bytes.length, decode: decodeVarint },
  { name: 'bit-packed blocks of 128', bytes: packed.words.byteLength, decode: decodePacked },
];
// Every decoder must give back the stored postings.
for (const e of encodings) {
  for (const t of [0, 1, termIndex.get('the') ?? 2, index.termCount - 1]) {
    const n = e.decode(t);
    for (let i = 0; i < n; i++) {
      if (docsBuf[i] !== postingDocs[termOffsets[t] + i] || tfsBuf[i] !== postingTfs[termOffsets[t] + i])
        throw new Error(`${e.name} decodes term ${t} wrongly at ${i}`);
    }
  }
}

const results = { docs: DOCS, postings, buildCpuSeconds: built.seconds, encodings: [], search: [] };
for (const [setName, queries] of Object.entries(querySets)) {
  const parsed = queries.map(termIds);
  for (const e of encodings) {
    for (const terms of parsed.slice(0, 30)) score(terms, e.decode); // warm-up
    const { seconds } = cpuSeconds(() => parsed.forEach((terms) => score(terms, e.decode)));
    results.encodings.push({
      queries: setName,
      encoding: e.name,
      bytesPerPosting: e.bytes / postings,
      qps: queries.length / seconds,
    });
  }
  // Pruned against exhaustive, rounds interleaved, median of the rounds.
  const rounds = [];
  let same = 0;
  for (const q of queries) {
    const a = index.search(q, K, { exhaustive: false });
    const b = index.search(q, K, { exhaustive: true });
    if (JSON.stringify(a) === JSON.stringify(b)) same++;
  }
  for (let r = 0; r < 5; r++) {
    const p = cpuSeconds(() => queries.forEach((q) => index.search(q, K, { exhaustive: false }))).seconds;
    const x = cpuSeconds(() => queries.forEach((q) => index.search(q, K, { exhaustive: true }))).seconds;
    rounds.push({ pruned: queries.length / p, exhaustive: queries.length / x });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  results.search.push({
    queries: setName,
    prunedQps: median(rounds.map((r) => r.pruned)),
    exhaustiveQps: median(rounds.map((r) => r.exhaustive)),
    ratio: median(rounds.map((r) => r.pruned / r.exhaustive)),
    identicalTop10: same / queries.length,
  });
}

// ---- save and load
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postings-bench-'));
await index.save(path.join(dir, 'idx'));
const arrayBytes = fs
  .readdirSync(path.join(dir, 'idx'))
  .reduce((s, f) => s + fs.statSync(path.join(dir, 'idx', f)).size, 0);
const t0 = process.hrtime.bigint();
Bm25Index.load(path.join(dir, 'idx'));
const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const t1 = process.hrtime.bigint();
Bm25Index.load(path.join(dir, 'idx'), { shared: true });
const loadSharedSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
fs.rmSync(dir, { recursive: true, force: true });
Object.assign(results, { indexBytes: arrayBytes, loadSeconds, loadSharedSeconds });

console.log(
  `\n${DOCS.toLocaleString('en')} generated passages, ${postings.toLocaleString('en')} postings, ${QUERIES} queries per set, k = ${K}, CPU time\n`,
);
console.log('| queries | postings encoding | bytes/posting | exhaustive q/s (decode + score) |');
console.log('| --- | --- | ---: | ---: |');
for (const e of results.encodings)
  console.log(`| ${e.queries} | ${e.encoding} | ${e.bytesPerPosting.toFixed(2)} | ${e.qps.toFixed(0)} |`);
console.log('\n| queries | pruned q/s | exhaustive q/s | pruned / exhaustive (median of 5) | identical top-10 |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const s of results.search)
  console.log(
    `| ${s.queries} | ${s.prunedQps.toFixed(0)} | ${s.exhaustiveQps.toFixed(0)} | ${s.ratio.toFixed(2)}x | ${(100 * s.identicalTop10).toFixed(1)}% |`,
  );
console.log(
  `\nindex folder ${(arrayBytes / 2 ** 20).toFixed(1)} MiB (${(arrayBytes / DOCS).toFixed(0)} bytes/passage); load ${loadSeconds.toFixed(2)} s (crc32 + structure check + search arrays), shared ${loadSharedSeconds.toFixed(2)} s`,
);
if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
