// The whole pipeline on webgpu (SwiftShader's CPU-emulated Vulkan in CI): kard-train all + kard-eval on the smallest
// config (fixtures/tiny-webgpu.config.yaml, on a 300-paragraph slice of the corpus). Every stage completes, the
// report is written, and every training loss equals a native-cpu run of the same config within 1e-3 relative.
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, RunFolder, runEvaluation, startBackend, TrainingPipeline } from '../src';
import { writeCorpusSlice } from './corpus-slice';

const root = path.resolve(__dirname, '../../..');
const config = path.join(__dirname, 'fixtures', 'tiny-webgpu.config.yaml');
const STAGES = [
  'passages',
  'index',
  'prepare-ft',
  'prepare-rd',
  'prepare-kard',
  'reranker',
  'student-tokenizer',
  'student-ft',
  'student-rd',
  'student-kard',
];

interface Losses {
  /** Each student's loss at every training step, and its validation loss. */
  students: Record<string, { train: number[]; validation: number[] }>;
  /** The reranker's first and last step. */
  reranker: number[];
  /** kard-eval's rationale losses (teacher-forced, on the evaluation questions). */
  rationale: Record<string, number>;
}

async function runAll(dir: string, corpus: string, backend: string): Promise<{ losses: Losses; seconds: number }> {
  const runDir = path.join(dir, backend);
  const cfg = loadConfig(config, { run: runDir, backend, 'knowledge.corpus': [corpus] });
  const t0 = Date.now();
  expect(await startBackend(cfg)).toBe(backend);
  const tfjsBackend = tf.getBackend();
  const run = new RunFolder(runDir);
  await new TrainingPipeline(cfg, run).runStage('all');
  await runEvaluation(cfg);
  const seconds = (Date.now() - t0) / 1000;
  expect(tf.getBackend()).toBe(tfjsBackend); // nothing switched it on the way

  const marker = (stage: string) => JSON.parse(fs.readFileSync(run.path('.stages', `${stage}.json`), 'utf8'));
  const done = fs
    .readFileSync(run.path('log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'stage-done')
    .map((e) => e.stage);
  expect(done.sort()).toEqual([...STAGES].sort());
  const report = JSON.parse(fs.readFileSync(path.join(runDir, 'eval', 'report.json'), 'utf8'));
  expect(report.methods.map((m: { name: string; n: number }) => [m.name, m.n])).toEqual([
    ['ft', 2],
    ['rd', 2],
    ['kard-bm25', 2],
    ['kard-reranker', 2],
  ]);
  expect(fs.readFileSync(path.join(runDir, 'eval', 'report.md'), 'utf8')).toMatch(/\| kard-reranker \| [\d.]+% \|/);

  const students: Losses['students'] = {};
  for (const m of ['ft', 'rd', 'kard']) {
    expect(marker(`student-${m}`).result.steps).toBe(2);
    const curve = JSON.parse(fs.readFileSync(run.path('student', m, 'loss-curve.json'), 'utf8'));
    students[m] = {
      train: curve.train.map((p: { loss: number }) => p.loss),
      validation: curve.validation.map((p: { loss: number }) => p.loss),
    };
  }
  const rr = marker('reranker').result;
  expect(rr.steps).toBe(2);
  return { losses: { students, reranker: [rr.firstLoss, rr.finalLoss], rationale: report.rationaleLoss }, seconds };
}

/** Every number of `a` and `b`, paired by key path. */
function pairs(a: unknown, b: unknown, at = ''): Array<[string, number, number]> {
  if (typeof a === 'number') return [[at, a, b as number]];
  if (a && typeof a === 'object')
    return Object.keys(a).flatMap((k) =>
      pairs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)?.[k], `${at}.${k}`),
    );
  return [];
}

test('kard-train all + kard-eval on webgpu: every stage, the report, and losses equal to native-cpu within 1e-3', async () => {
  const cwd = process.cwd();
  process.chdir(root); // the config's paths are relative to the repository root
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-webgpu-pipeline-'));
  try {
    const corpus = writeCorpusSlice(dir);

    const gpu = await runAll(dir, corpus, 'webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const native = await runAll(dir, corpus, 'native-cpu');

    // kard's student read passages: its losses are not rd's
    expect(native.losses.students.kard.train[0]).not.toBe(native.losses.students.rd.train[0]);
    const compared = pairs(native.losses, gpu.losses);
    // 3 students x 2 steps x (training, validation), the reranker's 2 steps, 3 rationale losses (and their count)
    expect(compared.length).toBe(18);
    const worst = Math.max(...compared.map(([, n, g]) => Math.abs(g - n) / Math.abs(n)));
    console.log(
      `tiny pipeline: webgpu ${gpu.seconds.toFixed(1)} s, native-cpu ${native.seconds.toFixed(1)} s; ` +
        `${compared.length} losses, worst relative difference ${worst.toExponential(2)}`,
    );
    for (const [at, n, g] of compared) {
      expect(Number.isFinite(n) && n > 0).toBe(true);
      if (!(Math.abs(g - n) <= 1e-3 * Math.abs(n))) throw new Error(`${at}: webgpu ${g}, native-cpu ${n}`);
    }
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300000);
