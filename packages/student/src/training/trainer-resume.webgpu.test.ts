// Resume after a crash on the webgpu backend (SwiftShader in CI), as trainer.test.ts checks it on the CPU: a run
// that dies after a checkpoint, losing the steps past it, continues from that checkpoint exactly as the
// uninterrupted run: the same losses and learning rates, and the same final weights, bit for bit. On this route the
// weights and the AdamW moments go GPU -> disk -> GPU, and dropout masks must pick up where they stopped.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { Rng } from '@kard/core';
import { createModel } from '../pretrained';
import { tinyT5Config } from '../testing';
import type { TokenizedExample } from './examples';
import { Seq2SeqTrainer } from './trainer';
import type { StudentModel } from '../pretrained';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'student-resume-webgpu-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend({ backend: 'webgpu' }));

// One length for every example: each new tensor shape costs shader compiles on a CPU-emulated device.
function synthetic(n: number, seed: number): TokenizedExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    inputIds: [...Array.from({ length: 5 }, () => 2 + rng.int(11)), 1],
    targetIds: [...Array.from({ length: 3 }, () => 2 + rng.int(11)), 1],
  }));
}

const weights = (m: StudentModel) => [...m.namedParameters()].map(([n, v]) => [n, Array.from(v.dataSync())]);

test('a run crashed after a checkpoint resumes on webgpu exactly as the uninterrupted run (dropout on)', async () => {
  expect(tf.getBackend()).toBe('webgpu');
  const data = synthetic(12, 1);
  const cfg = tinyT5Config('v1.1', { dropoutRate: 0.1 });
  // 12 / 4 = 3 batches an epoch, 2 epochs: 6 steps; a checkpoint at 2 and 4.
  const opts = {
    epochs: 2,
    batchSize: 4,
    lr: 1e-2,
    warmupSteps: 2,
    seed: 3,
    progress: false,
    finalDir: false as const,
  };

  const fullModel = createModel(cfg, 5);
  const full = await new Seq2SeqTrainer(fullModel, { ...opts, outputDir: path.join(tmp, 'full') }).train(data);
  expect(full.steps).toHaveLength(6);

  // The crash: an error thrown inside the step loop after step 3, whose progress past checkpoint-2 is lost.
  const dir = path.join(tmp, 'crashed');
  const crashed = createModel(cfg, 5);
  const err = await new Seq2SeqTrainer(crashed, {
    ...opts,
    outputDir: dir,
    saveSteps: 2,
    onStep: (r) => {
      if (r.step === 3) throw new Error('killed at step 3');
    },
  })
    .train(data)
    .catch((e: unknown) => e);
  expect(String(err)).toMatch(/killed at step 3/);
  expect(fs.readdirSync(dir).filter((n) => n.startsWith('checkpoint-'))).toEqual(['checkpoint-2']);
  crashed.dispose();

  // A fresh process would start from other weights: a different seed shows they all come from the checkpoint.
  const resumedModel = createModel(cfg, 99);
  const rest = await new Seq2SeqTrainer(resumedModel, { ...opts, outputDir: dir, resumeFrom: 'latest' }).train(data);
  expect(rest.resumedFromStep).toBe(2);
  expect(rest.steps.map((s) => s.loss)).toEqual(full.steps.slice(2).map((s) => s.loss));
  expect(rest.steps.map((s) => s.lr)).toEqual(full.steps.slice(2).map((s) => s.lr));
  expect(rest.steps.map((s) => s.gradNorm)).toEqual(full.steps.slice(2).map((s) => s.gradNorm));
  expect(weights(resumedModel)).toEqual(weights(fullModel));
  // Not a vacuous comparison: training moved the weights away from the seed-5 start.
  const start = createModel(cfg, 5);
  expect(weights(fullModel)).not.toEqual(weights(start));
  [fullModel, resumedModel, start].forEach((m) => m.dispose());
});
