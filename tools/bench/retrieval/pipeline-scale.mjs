#!/usr/bin/env node
// `kard-train all` on a generated store of N passages, with its peak RSS: the issue-14 check that training memory
// no longer grows with the corpus (beyond the BM25 index). Generates the corpus (gen-corpus.mjs), builds the store
// once (`kard-kb build`) and the index once (`kard-retriever index`), writes a small config naming both as prebuilt
// (knowledge.store, knowledge.index; a tiny scratch student, a few steps) and runs `kard-train all` in a child,
// reading each child's peak RSS (getrusage maxRSS via rss-on-exit.cjs). Prints a table and writes
// results/pipeline-scale.{json,md} atomically.
//   npm run build && node tools/bench/retrieval/pipeline-scale.mjs [--docs 50000,1000000] [--keep]
// Everything goes under node_modules/.cache/kard-bench-retrieval/pipeline-<N>/ (removed afterwards unless --keep;
// the generated corpus stays cached).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus } from './gen-corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const CACHE = process.env.BENCH_CACHE ?? path.join(root, 'node_modules/.cache/kard-bench-retrieval');
const GiB = 2 ** 30;

function parseArgs(argv) {
  const o = { docs: [1_000_000], keep: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(
        'usage: node tools/bench/retrieval/pipeline-scale.mjs [--docs N[,N...] (default 1000000)] [--keep]\n' +
          'Several sizes (e.g. --docs 50000,1000000) show whether kard-train memory grows with the corpus.',
      );
      process.exit(0);
    } else if (argv[i] === '--docs') o.docs = String(argv[++i]).split(',').map(Number);
    else if (argv[i] === '--keep') o.keep = true;
    else throw new Error(`unknown argument ${argv[i]} (see --help)`);
  }
  if (!o.docs.every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--docs must be positive integers');
  return o;
}

/** Runs a built CLI in a child with rss-on-exit preloaded; returns its seconds and peak RSS. */
function measured(label, bin, args, logFile) {
  const rssFile = path.join(os.tmpdir(), `kard-rss-${process.pid}-${label}`);
  const t = Date.now();
  const out = fs.openSync(logFile, 'a');
  const r = spawnSync(process.execPath, ['--require', path.join(here, 'rss-on-exit.cjs'), bin, ...args], {
    cwd: root,
    env: { ...process.env, KARD_RSS_FILE: rssFile },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const seconds = (Date.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed (exit ${r.status}); see ${logFile}`);
  const maxRssBytes = Number(fs.readFileSync(rssFile, 'utf8'));
  fs.rmSync(rssFile, { force: true });
  console.log(
    `  ${label.padEnd(16)} ${seconds.toFixed(1).padStart(8)} s   peak RSS ${(maxRssBytes / GiB).toFixed(2)} GiB`,
  );
  return { seconds, maxRssBytes };
}

const bin = (pkg, name) => path.join(root, pkg, 'bin', `${name}.js`);

function config(dir, store, index) {
  return `# kard-train all on a generated store (tools/bench/retrieval/pipeline-scale.mjs)
run: ${path.join(dir, 'run')}
seed: 7
dataset:
  train: datasets/strategyqa/train.json
  eval: datasets/strategyqa/dev.json
  trainLimit: 64
  evalLimit: 8
  validationFraction: 0.25
knowledge:
  store: ${store}
  index: ${index}
teacher:
  rationales: datasets/flan-cot/strategyqa_train.tsv
  format: flan-cot
student:
  tokenizer: models/t5-tokenizer
  # the tokenizer kept whole and no pre-training: both pass a tokenizer over every passage of the store, which at
  # 1M passages would dominate the run (and is not what this measures: memory against corpus size)
  vocabSize: 0
  pretrainSteps: 0
  dModel: 16
  dFf: 32
  numLayers: 1
  numHeads: 2
  maxInputTokens: 128
  maxTargetTokens: 48
  steps: 4
  batchSize: 4
  checkpointEvery: 4
reranker:
  hidden: 16
  heads: 2
  candidates: 8
  maxSteps: 4
  batchSize: 2
  k: 4
  queryMaxLength: 16
  passageMaxLength: 32
  compressionDim: 8
progress: false
`;
}

/** Generates (once), builds the store and the index, and runs `kard-train all` on `docs` passages. */
async function runSize(docs, keep) {
  const corpus = path.join(CACHE, `gen-${docs}.jsonl`);
  if (!fs.existsSync(corpus)) {
    console.log(`generating ${docs.toLocaleString()} passages -> ${corpus}`);
    await writeCorpus(corpus, docs);
  }
  const dir = path.join(CACHE, `pipeline-${docs}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'log.txt');
  const store = path.join(dir, 'store');
  const index = path.join(dir, 'index');
  console.log(`kard-train all on ${docs.toLocaleString()} generated passages (log: ${log})`);
  const steps = {};
  steps['kard-kb build'] = measured(
    'kard-kb build',
    bin('packages/knowledge-base', 'kard-kb'),
    ['build', '-i', corpus, '--out', store, '--no-progress'],
    log,
  );
  steps['kard-retriever index'] = measured(
    'retriever index',
    bin('packages/retriever', 'kard-retriever'),
    [
      'index',
      '--corpus',
      path.join(store, 'passages.jsonl'),
      '--out',
      index,
      '--no-progress',
      '--threads',
      String(os.availableParallelism()),
    ],
    log,
  );
  const cfg = path.join(dir, 'config.yaml');
  fs.writeFileSync(cfg, config(dir, store, index));
  const before = fs.readFileSync(log, 'utf8').length;
  steps['kard-train all'] = measured(
    'kard-train all',
    bin('apps/kard-train', 'kard-train'),
    ['all', '--config', cfg],
    log,
  );
  // what the run did: its stages, and the retrieval it made for every training rationale
  const trainLog = fs.readFileSync(log, 'utf8').slice(before);
  const stages = [...trainLog.matchAll(/\[kard-train\] stage-done (\S+)/g)].map((m) => m[1]);
  console.log(`  stages done: ${stages.join(', ')}`);
  const result = {
    docs,
    storeBytes: fs.readdirSync(store).reduce((s, f) => s + fs.statSync(path.join(store, f)).size, 0),
    indexBytes: fs.readdirSync(index).reduce((s, f) => s + fs.statSync(path.join(index, f)).size, 0),
    steps,
    stages,
  };
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  for (const [pkg, name] of [
    ['packages/knowledge-base', 'kard-kb'],
    ['packages/retriever', 'kard-retriever'],
    ['apps/kard-train', 'kard-train'],
  ])
    if (!fs.existsSync(path.join(root, pkg, 'dist'))) throw new Error(`${name} is not built: run npm run build first`);
  if (!fs.existsSync(path.join(root, 'models/t5-tokenizer/tokenizer.json')))
    throw new Error('models/t5-tokenizer is missing: run npm run setup first');
  fs.mkdirSync(CACHE, { recursive: true });
  const runs = [];
  for (const docs of o.docs) runs.push(await runSize(docs, o.keep));
  const result = { date: new Date().toISOString(), cpus: os.availableParallelism(), runs };
  const md = [
    `# kard-train all on generated stores`,
    '',
    `${result.date}, ${result.cpus} cores. A tiny scratch student and reranker, a few steps each (the config in ` +
      'pipeline-scale.mjs): what is measured is memory against corpus size, with the store and the index prebuilt.',
    '',
    '| passages | store GiB | index GiB | step | seconds | peak RSS GiB |',
    '|---:|---:|---:|---|---:|---:|',
    ...runs.flatMap((r) =>
      Object.entries(r.steps).map(
        ([k, v]) =>
          `| ${r.docs.toLocaleString()} | ${(r.storeBytes / GiB).toFixed(2)} | ${(r.indexBytes / GiB).toFixed(2)} | ${k} | ${v.seconds.toFixed(1)} | ${(v.maxRssBytes / GiB).toFixed(2)} |`,
      ),
    ),
    '',
    ...runs.map((r) => `Stages of \`kard-train all\` at ${r.docs.toLocaleString()}: ${r.stages.join(', ')}.`),
    '',
  ].join('\n');
  const results = path.join(here, 'results');
  fs.mkdirSync(results, { recursive: true });
  for (const [name, text] of [
    [`pipeline-scale.json`, `${JSON.stringify(result, null, 2)}\n`],
    [`pipeline-scale.md`, md],
  ]) {
    const tmp = path.join(results, `${name}.tmp-${process.pid}`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(results, name));
  }
  console.log(`wrote ${path.relative(root, results)}/pipeline-scale.{json,md}`);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
