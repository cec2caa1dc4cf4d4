#!/usr/bin/env node
// Generated passages for scale runs: words drawn from the unigram distribution of the shipped Wikipedia paragraphs
// (their real vocabulary and frequencies), 40-120 words a passage, from a fixed seed, so every run indexes the same
// corpus. Also a CLI that writes such a corpus as {id, title, text} JSONL for kard-kb build / kard-retriever index /
// kard-train:
//   node tools/bench/retrieval/gen-corpus.mjs --docs 1000000 --out corpus.jsonl [--seed 42]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { random } from '../lib/random.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHIPPED_CORPUS = ['strategyqa_paragraphs.jsonl', 'hotpotqa_paragraphs.jsonl'].map((f) =>
  path.join(root, 'datasets/wikipedia', f),
);

/**
 * The unigram distribution of the shipped paragraphs: words (lower-cased runs of letters and digits) by descending
 * count, and a sampler of a word from a uniform draw (binary search of the cumulative counts).
 */
export function unigram(files = SHIPPED_CORPUS) {
  const counts = new Map();
  for (const f of files)
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line) continue;
      const p = JSON.parse(line);
      for (const w of `${p.title ?? ''} ${p.text}`.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
        counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  // ties broken by the word, so the order (and every draw) is the same on every machine
  const words = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const cdf = new Float64Array(words.length);
  let sum = 0;
  words.forEach(([, c], i) => (cdf[i] = sum += c));
  const draw = (u) => {
    const x = u * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { words: words.map(([w]) => w), counts: words.map(([, c]) => c), tokens: sum, draw };
}

/** `n` passages `{id: "gen-<i>", title: "", text}`, 40-120 words each (mean 80; a DPR passage is 100). */
export function* generatePassages(n, { seed = 42, dist = unigram() } = {}) {
  const rand = random(seed);
  for (let i = 0; i < n; i++) {
    const len = 40 + Math.floor(rand() * 81);
    const words = new Array(len);
    for (let j = 0; j < len; j++) words[j] = dist.words[dist.draw(rand())];
    yield { id: `gen-${i}`, title: '', text: words.join(' ') };
  }
}

/**
 * `count` queries of `length` words from the same distribution, skipping the `skip` most frequent words (a stop-word
 * list's job), from their own seed.
 */
export function syntheticQueries(count, { length = 6, skip = 100, seed = 7, dist = unigram() } = {}) {
  const rand = random(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const words = [];
    while (words.length < length) {
      const r = dist.draw(rand());
      if (r >= skip) words.push(dist.words[r]);
    }
    out.push(words.join(' '));
  }
  return out;
}

/** Writes `n` generated passages to `file` as JSONL, atomically (a temp file renamed into place). */
export async function writeCorpus(file, n, { seed = 42, dist = unigram(), onProgress } = {}) {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const out = fs.createWriteStream(tmp);
  try {
    let buf = '';
    let i = 0;
    for (const p of generatePassages(n, { seed, dist })) {
      buf += `${JSON.stringify(p)}\n`;
      if (++i % 10_000 === 0) {
        if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
        buf = '';
        onProgress?.(i, n);
      }
    }
    out.write(buf);
    await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
    fs.renameSync(tmp, file);
  } catch (err) {
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function usage() {
  return (
    'usage: node tools/bench/retrieval/gen-corpus.mjs --docs N --out FILE.jsonl [--seed 42]\n' +
    'Writes N passages whose words are drawn from the unigram distribution of the shipped Wikipedia paragraphs,\n' +
    '40-120 words each, as {id, title, text} JSONL (kard-kb build, kard-retriever index, kard-train).\n'
  );
}

async function main(argv) {
  const args = new Map();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') return process.stdout.write(usage());
    if (!argv[i].startsWith('--') || i + 1 >= argv.length)
      throw new Error(`unexpected argument ${argv[i]}\n${usage()}`);
    args.set(argv[i].slice(2), argv[++i]);
  }
  const n = Number(args.get('docs'));
  const out = args.get('out');
  if (!Number.isInteger(n) || n < 1 || !out)
    throw new Error(`--docs (a positive integer) and --out are required\n${usage()}`);
  const seed = Number(args.get('seed') ?? 42);
  const t = Date.now();
  await writeCorpus(out, n, {
    seed,
    onProgress: (i) => process.stderr.isTTY && process.stderr.write(`\rgen-corpus ${i}/${n}`),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(`wrote ${n} passages to ${out} in ${((Date.now() - t) / 1000).toFixed(1)} s (seed ${seed})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  main(process.argv.slice(2)).catch((err) => {
    console.error(err.message ?? err);
    process.exit(1);
  });
