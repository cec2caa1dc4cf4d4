// Guards that moving the trainer onto @kard/nn's one training loop changed no number: the hashes below were computed
// with the pre-refactor trainer (commit 89d685b, its own loop). Trained weights depend on the backend's kernels, so
// they are recorded per backend.
import { createHash } from 'node:crypto';
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

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'student-ref-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend());

function hashTensors(tensors: Iterable<[string, tf.Tensor]>): string {
  const h = createHash('sha256');
  for (const [name, t] of [...tensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(`${name}[${t.shape}]`);
    const v = t.dataSync() as Float32Array;
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}
const hashNumbers = (xs: number[]) => createHash('sha256').update(Float64Array.from(xs)).digest('hex').slice(0, 16);

/** Pre-refactor hashes of [trained weights, losses, eval losses], by backend; other backends have no reference. */
const TRAINED: Record<string, [string, string, string]> = {
  'native-cpu': ['5f72abc476e01342', '6a5791b961a96306', '41b4fc5ae8560476'],
  cpu: ['a7c1bb256747e8eb', '30b6125aeaf32eef', '6052d71090e31738'],
};

function synthetic(n: number, seed: number): TokenizedExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    inputIds: [...Array.from({ length: 2 + rng.int(5) }, () => 2 + rng.int(11)), 1],
    targetIds: [...Array.from({ length: 1 + rng.int(4) }, () => 2 + rng.int(11)), 1],
  }));
}

describe('bit-identical to the pre-refactor trainer (commit 89d685b)', () => {
  it('accumulation, clipping, dropout, a mid-run checkpoint and a resume', async () => {
    const data = synthetic(22, 1);
    const cfg = tinyT5Config('v1.1', { dropoutRate: 0.1 });
    const o = {
      epochs: 2,
      batchSize: 4,
      gradientAccumulationSteps: 2,
      lr: 1e-2,
      warmupSteps: 2,
      weightDecay: 0.1,
      maxGradNorm: 0.5,
      seed: 3,
      progress: false,
      finalDir: false as const,
    };
    const dir = path.join(tmp, 'run');
    await new Seq2SeqTrainer(createModel(cfg, 5), { ...o, outputDir: dir, saveSteps: 2, maxSteps: 3 }).train(data);
    const model = createModel(cfg, 9);
    const r = await new Seq2SeqTrainer(model, {
      ...o,
      outputDir: dir,
      resumeFrom: path.join(dir, 'checkpoint-2'),
    }).train(data, synthetic(5, 2));
    expect(r.resumedFromStep).toBe(2);
    const want = TRAINED[tf.getBackend()];
    if (want)
      expect([
        hashTensors(model.namedParameters()),
        hashNumbers(r.steps.map((s) => s.loss)),
        hashNumbers(r.evals.map((e) => e.evalLoss)),
      ]).toEqual(want);
  });
});
