// apps/kard-web in headless Chromium (Debian's chromium, driven by playwright-core) against Node on the same bundle:
// a tiny run is trained, exported (kard-train export-web) and served; for 20 StrategyQA dev questions the page's BM25
// hits, reranked passages and greedy tokens must equal what kard-eval's Node path computes from the run folder
// (tfjs-backend-wasm in both, so the student's tokens match exactly). Every request the browser makes is recorded
// and must be same-origin; the page must answer again once the server is gone (its service worker); WebGPU on
// SwiftShader must give the same answers within 1e-3. A screenshot of an answered question lands in test-output/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { fitInput, instructionFor, loadQuestions, loadTokenCounter, parseAnswer, YES_NO } from '@kard/cot-data';
import { PassageStore } from '@kard/knowledge-base';
import { initBackend } from '@kard/nn';
import { loadRerankerFolder } from '@kard/reranker';
import { Bm25Index } from '@kard/retriever';
import { generate, loadStudent } from '@kard/student';
import {
  exportWebBundle,
  loadConfig,
  RunFolder,
  startBackend,
  TrainingPipeline,
  writeRunInfo,
  type WebBundleManifest,
} from '@kard/pipeline';

const root = path.resolve(__dirname, '../../..');
const CHROMIUM = process.env.KARD_CHROMIUM ?? '/usr/bin/chromium';
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const OUTPUT = path.join(__dirname, '..', 'test-output');
const QUESTIONS = 20;

interface PageResult {
  candidates: { id: string; score: number }[];
  reranked: { id: string; score: number; title: string }[];
  tokens: number[];
  score: number;
  text: string;
  answer: string | null;
  streamed: number;
}
interface NodeResult {
  candidates: { id: string; score: number }[];
  reranked: { id: string; score: number }[];
  tokens: number[];
  /** generate's sum of log-probabilities: it depends on every weight and on the question's input. */
  score: number;
  text: string;
  answer: string | null;
}

let dir: string;
let bundle: string;
let manifest: WebBundleManifest;
let server: ChildProcess | undefined;
let url: string;
let questions: string[];
const expected: NodeResult[] = [];

function startServer(): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'tools/web/serve.mjs'),
      '--app',
      path.join(root, 'apps/kard-web/dist'),
      '--data',
      bundle,
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  server = child;
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      const m = /serving on (\S+)/.exec(b.toString());
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
}

function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

beforeAll(async () => {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-web-test-'));
    const runDir = path.join(dir, 'run');
    // the tiny end-to-end config (its 2-step student mostly repeats one token: the log-probabilities compared
    // below are what tells inputs and weights apart)
    const cfg = loadConfig(path.join(root, 'packages/pipeline/test/fixtures/tiny.config.yaml'), {
      run: runDir,
      'student.methods': ['kard'],
      'eval.maxNewTokens': 8,
    });
    const backend = await startBackend(cfg);
    const run = new RunFolder(runDir);
    await new TrainingPipeline(cfg, run).runStage('all');
    writeRunInfo(run, cfg, backend);
    bundle = path.join(dir, 'bundle');
    manifest = await exportWebBundle(runDir, bundle, { chunkBytes: 256 * 1024 });
    const built = spawnSync(process.execPath, [path.join(root, 'apps/kard-web/esbuild.config.mjs')], {
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`building apps/kard-web failed:\n${built.stderr}${built.stdout}`);
    url = await startServer();

    // Node: kard-eval's kard-reranker path (pipeline/src/eval/evaluate.ts) on tfjs-backend-wasm, from the run folder
    await initBackend({ backend: 'wasm' });
    const s = manifest.settings;
    questions = loadQuestions(path.join(root, 'datasets/strategyqa/dev.json'))
      .questions.slice(0, QUESTIONS)
      .map((q) => q.question);
    const store = PassageStore.open(path.join(runDir, 'passages'));
    const index = Bm25Index.load(path.join(runDir, 'index')).attachPassages(store);
    const reranker = await loadRerankerFolder(path.join(runDir, 'reranker'), { passages: store });
    const studentDir = path.join(runDir, 'student', 'kard');
    const { model, tokenizer } = await loadStudent(studentDir);
    const counter = await loadTokenCounter(studentDir);
    for (const question of questions) {
      const hits = index.search(question, Math.max(s.maxDoc, s.nDocs));
      const top = await reranker.rerank(question, hits, s.nDocs);
      const q = { question, options: YES_NO };
      const fitted = fitInput(
        instructionFor(s.dataset),
        q,
        'kard',
        top.map((h) => h.passage!),
        counter,
        s.maxInputTokens,
      );
      const ids = tokenizer.encode(fitted.input, { maxLength: s.maxInputTokens });
      const [[seq]] = generate(model, [ids], {
        maxNewTokens: s.maxNewTokens,
        topK: 0,
        noRepeatNgramSize: s.noRepeatNgramSize,
      });
      const tokens = seq.tokens.filter((t) => t !== tokenizer.eosTokenId);
      const text = tokenizer.decode(tokens);
      expected.push({
        candidates: hits.map((h) => ({ id: h.id, score: h.score })),
        reranked: top.map((h) => ({ id: h.id, score: h.score })),
        tokens,
        score: seq.score,
        text,
        answer: parseAnswer(text, YES_NO) ?? null,
      });
    }
    store.close();
  } finally {
    process.chdir(cwd);
  }
}, 180000);

afterAll(async () => {
  await stopServer();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh browser profile that records every request made by the page, its workers and its service worker. */
async function open(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ browser: Browser; context: BrowserContext; page: Page; requests: string[] }> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: npm run setup installs Debian's chromium (or set KARD_CHROMIUM)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', ...args],
    env: { ...process.env, ...env } as Record<string, string>,
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  return { browser, context, page, requests };
}

async function ready(page: Page, query = ''): Promise<{ backend: string; reason: string; error?: string }> {
  await page.goto(url + query);
  await page.waitForFunction(
    () => {
      const k = (globalThis as unknown as { kard?: { ready: boolean; error?: string } }).kard;
      return k?.ready || k?.error;
    },
    null,
    { timeout: 90000 },
  );
  return page.evaluate(
    () => (globalThis as unknown as { kard: { backend: string; reason: string; error?: string } }).kard,
  );
}

const ask = (page: Page, question: string): Promise<PageResult> =>
  page.evaluate(
    (q) =>
      (globalThis as unknown as { kard: { ask(q: string, o: string[]): Promise<PageResult> } }).kard.ask(q, [
        'yes',
        'no',
      ]),
    question,
  );

test('wasm in Chromium: BM25 hits, reranked order and greedy tokens equal Node for 20 StrategyQA questions; only same-origin requests', async () => {
  const { browser, page, requests } = await open([]);
  try {
    const k = await ready(page);
    expect(k.error).toBeUndefined();
    // headless Chromium without a GPU: WebGPU has no adapter here, so the page chose wasm and says why
    expect(k.backend).toBe('wasm');
    const distinct = new Set<string>();
    for (let i = 0; i < questions.length; i++) {
      const got = await ask(page, questions[i]);
      const want = expected[i];
      expect({ i, candidates: got.candidates.map((h) => ({ id: h.id, score: h.score })) }).toEqual({
        i,
        candidates: want.candidates,
      });
      expect({ i, reranked: got.reranked.map((h) => h.id) }).toEqual({ i, reranked: want.reranked.map((h) => h.id) });
      got.reranked.forEach((h, r) => expect(Math.abs(h.score - want.reranked[r].score)).toBeLessThan(1e-4));
      expect({ i, tokens: got.tokens }).toEqual({ i, tokens: want.tokens });
      expect(Math.abs(got.score - want.score)).toBeLessThan(1e-4);
      expect(got.text).toBe(want.text);
      expect(got.answer).toBe(want.answer);
      expect(got.streamed).toBe(got.tokens.length);
      distinct.add(got.score.toFixed(4));
    }
    // the comparison means something: every question's input leads to its own rationale probability
    expect(distinct.size).toBe(questions.length);
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'screenshot.png'), fullPage: true });

    const origin = new URL(url).origin;
    const foreign = requests.filter((r) => !r.startsWith('data:') && new URL(r).origin !== origin);
    fs.writeFileSync(path.join(OUTPUT, 'requests.txt'), `${requests.join('\n')}\n`);
    expect(foreign).toEqual([]);
    // and the recording saw the page's traffic: the worker's bundle files and the wasm binary
    expect(requests.some((r) => r.includes('/data/student/model.safetensors'))).toBe(true);
    expect(requests.some((r) => r.endsWith('.wasm'))).toBe(true);
  } finally {
    await browser.close();
  }
}, 180000);

test('WebGPU on SwiftShader: the same hits, reranked order (scores within 1e-3) and greedy tokens', async () => {
  if (!fs.existsSync(SWIFTSHADER_ICD)) {
    console.warn(`skipped: WebGPU on SwiftShader needs ${SWIFTSHADER_ICD} (Debian's chromium package)`);
    return;
  }
  // --use-angle=swiftshader, not --use-vulkan=swiftshader: with the latter Chromium 14x's synchronous GPU reads
  // (tfjs-backend-webgpu's dataSync) return zeros or lose the device
  const { browser, page } = await open(
    [
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    ],
    { VK_ICD_FILENAMES: SWIFTSHADER_ICD },
  );
  try {
    const k = await ready(page, '?backend=webgpu');
    if (k.error) {
      console.warn(`skipped: Chromium offers no WebGPU on SwiftShader here (${k.error})`);
      return;
    }
    expect(k.backend).toBe('webgpu');
    // SwiftShader runs WebGPU on the CPU and compiles every shader on first use: 2 questions in CI, all 20
    // with KARD_WEB_GPU_QUESTIONS=20
    const n = Math.min(questions.length, Number(process.env.KARD_WEB_GPU_QUESTIONS ?? 2));
    for (let i = 0; i < n; i++) {
      const got = await ask(page, questions[i]);
      const want = expected[i];
      expect(got.candidates.map((h) => h.id)).toEqual(want.candidates.map((h) => h.id));
      expect({ i, reranked: got.reranked.map((h) => h.id) }).toEqual({ i, reranked: want.reranked.map((h) => h.id) });
      got.reranked.forEach((h, r) => expect(Math.abs(h.score - want.reranked[r].score)).toBeLessThan(1e-3));
      expect({ i, tokens: got.tokens }).toEqual({ i, tokens: want.tokens });
      expect(Math.abs(got.score - want.score)).toBeLessThan(1e-3);
    }
  } finally {
    await browser.close();
  }
}, 600000);

test('offline: once loaded, the page answers again with the server stopped (its service worker keeps the bundle)', async () => {
  const { browser, page, requests } = await open([]);
  try {
    expect((await ready(page)).error).toBeUndefined();
    await page.waitForFunction(
      () => (globalThis as unknown as { kard: { offlineReady: boolean } }).kard.offlineReady,
      null,
      {
        timeout: 30000,
      },
    );
    await stopServer();
    const before = requests.length;
    const k = await ready(page); // a reload with nothing listening
    expect(k.error).toBeUndefined();
    const got = await ask(page, questions[0]);
    expect(got.tokens).toEqual(expected[0].tokens);
    expect(got.reranked.map((h) => h.id)).toEqual(expected[0].reranked.map((h) => h.id));
    expect(requests.length).toBeGreaterThan(before); // it did fetch, and the service worker answered
  } finally {
    await browser.close();
  }
}, 180000);
