#!/usr/bin/env node
// kard-web against Node on one trained run: the bundle's size (raw and gzip), page load to ready, questions/s for
// retrieval + rerank, and the student's tokens/s, in headless Chromium (wasm, and WebGPU on SwiftShader with
// --gpu) and in Node (tfjs-backend-wasm, the same kernels, and native-cpu) measured in the same run as the ratio
// baseline. The first question of each run warms up and is not timed.
//
// Usage: nx run-many -t build && node tools/bench/web/bench.mjs --run runs/demo [--questions 20] [--gpu]
//        [--node-backends wasm,native-cpu] [--out tools/bench/out/web]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { fitInput, instructionFor, loadQuestions, loadTokenCounter, YES_NO } from '@kard/cot-data';
import { PassageStore } from '@kard/knowledge-base';
import { initBackend } from '@kard/nn';
import { loadRerankerFolder } from '@kard/reranker';
import { Bm25Index } from '@kard/retriever';
import { generate, loadStudent } from '@kard/student';
import { serveKardWeb } from '../../web/serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HELP = `Usage: node tools/bench/web/bench.mjs --run <trained run folder> [options]
  --questions <n>       StrategyQA dev questions per run, the first a warm-up (default 20)
  --gpu                 also Chromium with WebGPU on SwiftShader (slow: every shader compiles on the CPU)
  --node-backends <l>   Node baselines (default wasm,native-cpu)
  --out <dir>           where web.json and web.md go (default tools/bench/out/web)
  -h, --help            this text`;
const { values: o } = parseArgs({
  options: {
    run: { type: 'string' },
    questions: { type: 'string', default: '20' },
    gpu: { type: 'boolean', default: false },
    'node-backends': { type: 'string', default: 'wasm,native-cpu' },
    out: { type: 'string', default: path.join(root, 'tools/bench/out/web') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (o.help || !o.run) {
  console.log(HELP);
  process.exit(o.help ? 0 : 2);
}
const runDir = path.resolve(o.run);
const N = Math.max(2, Number(o.questions));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-web-bench-'));
const bundle = path.join(tmp, 'bundle');

const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
};
sh(process.execPath, [path.join(root, 'apps/kard-train/dist/cli.js'), 'export-web', '--run', runDir, '--out', bundle]);
sh(process.execPath, [path.join(root, 'apps/kard-web/esbuild.config.mjs')]);
const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
const s = manifest.settings;

/** Raw and gzip -9 bytes of every file under `dir`. */
function sizes(dir) {
  let raw = 0;
  let gz = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (!f.endsWith('.map')) {
        const b = fs.readFileSync(f);
        raw += b.length;
        gz += gzipSync(b, { level: 9 }).length;
      }
    }
  };
  walk(dir);
  return { raw, gzip: gz };
}
const size = { bundle: sizes(bundle), app: sizes(path.join(root, 'apps/kard-web/dist')) };

const questions = loadQuestions(path.join(root, 'datasets/strategyqa/dev.json'))
  .questions.slice(0, N)
  .map((q) => q.question);

/** Rates over the timed questions (all but the first). */
function rates(per) {
  const timed = per.slice(1);
  const sum = (f) => timed.reduce((a, p) => a + f(p), 0);
  return {
    questionsPerSecond: timed.length / (sum((p) => p.retrieve + p.rerank) / 1000),
    tokensPerSecond: sum((p) => p.tokens) / (sum((p) => p.generate) / 1000),
    tokens: sum((p) => p.tokens),
  };
}

const rows = [];

async function browserRun(name, args, env, query) {
  const server = await serveKardWeb({ app: path.join(root, 'apps/kard-web/dist'), data: bundle });
  const browser = await chromium.launch({
    executablePath: process.env.KARD_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', ...args],
    env: { ...process.env, ...env },
  });
  try {
    const page = await browser.newPage();
    const t0 = performance.now();
    await page.goto(server.url + query);
    await page.waitForFunction(() => globalThis.kard?.ready || globalThis.kard?.error, null, { timeout: 600000 });
    const readyMs = performance.now() - t0;
    const k = await page.evaluate(() => ({ backend: globalThis.kard.backend, error: globalThis.kard.error }));
    if (k.error) return console.warn(`${name}: skipped (${k.error})`);
    const per = [];
    for (const q of questions) {
      const r = await page.evaluate((q) => globalThis.kard.ask(q, ['yes', 'no']), q);
      per.push({ ...r.ms, tokens: r.tokens.length });
    }
    rows.push({ where: `Chromium ${k.backend}`, loadMs: readyMs, ...rates(per) });
  } finally {
    await browser.close();
    server.close();
  }
}

async function nodeRun(backend) {
  const info = await initBackend({ backend });
  const t0 = performance.now();
  const store = PassageStore.open(path.join(runDir, 'passages'));
  const index = Bm25Index.load(path.join(runDir, 'index')).attachPassages(store);
  const reranker = await loadRerankerFolder(path.join(runDir, 'reranker'), { passages: store });
  const studentDir = path.join(runDir, 'student', manifest.student.method);
  const { model, tokenizer } = await loadStudent(studentDir);
  const counter = await loadTokenCounter(studentDir);
  const loadMs = performance.now() - t0;
  const per = [];
  for (const question of questions) {
    const a = performance.now();
    const hits = index.search(question, Math.max(s.maxDoc, s.nDocs));
    const b = performance.now();
    const top = await reranker.rerank(question, hits, s.nDocs);
    const c = performance.now();
    const q = { question, options: YES_NO };
    const fitted = fitInput(
      instructionFor(s.dataset),
      q,
      'kard',
      top.map((h) => h.passage),
      counter,
      s.maxInputTokens,
    );
    const ids = tokenizer.encode(fitted.input, { maxLength: s.maxInputTokens });
    const [[seq]] = generate(model, [ids], {
      maxNewTokens: s.maxNewTokens,
      topK: 0,
      noRepeatNgramSize: s.noRepeatNgramSize,
    });
    const d = performance.now();
    per.push({
      retrieve: b - a,
      rerank: c - b,
      generate: d - c,
      tokens: seq.tokens.filter((t) => t !== tokenizer.eosTokenId).length,
    });
  }
  store.close();
  rows.push({ where: `Node ${info.name}`, loadMs, ...rates(per) });
}

for (const b of o['node-backends'].split(',').filter(Boolean)) await nodeRun(b);
await browserRun('Chromium wasm', [], {}, '?backend=wasm');
if (o.gpu) {
  await browserRun(
    'Chromium WebGPU (SwiftShader)',
    [
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    ],
    { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' },
    '?backend=webgpu',
  );
}

const base = rows.find((r) => r.where === 'Node wasm') ?? rows[0];
const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;
const md = [
  `# kard-web benchmark`,
  '',
  `Run \`${path.relative(root, runDir) || runDir}\`, ${N} StrategyQA dev questions (the first untimed), nDocs ${s.nDocs} of ` +
    `maxDoc ${s.maxDoc}, up to ${s.maxNewTokens} new tokens; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}).`,
  '',
  `Bundle: ${mib(size.bundle.raw)} (${mib(size.bundle.gzip)} gzip); page: ${mib(size.app.raw)} (${mib(size.app.gzip)} gzip, ` +
    `wasm binaries included).`,
  '',
  `| where | load to ready | retrieval + rerank q/s | × ${base.where} | student tokens/s | × ${base.where} |`,
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.where} | ${(r.loadMs / 1000).toFixed(2)} s | ${r.questionsPerSecond.toFixed(1)} | ` +
      `${(r.questionsPerSecond / base.questionsPerSecond).toFixed(2)} | ${r.tokensPerSecond.toFixed(1)} | ` +
      `${(r.tokensPerSecond / base.tokensPerSecond).toFixed(2)} |`,
  ),
  '',
].join('\n');
fs.mkdirSync(o.out, { recursive: true });
fs.writeFileSync(
  path.join(o.out, 'web.json'),
  `${JSON.stringify({ run: runDir, questions: N, size, rows }, null, 2)}\n`,
);
fs.writeFileSync(path.join(o.out, 'web.md'), md);
console.log(md);
fs.rmSync(tmp, { recursive: true, force: true });
