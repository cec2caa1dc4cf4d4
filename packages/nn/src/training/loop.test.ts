import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { AdamW } from '../optim';
import { Rng } from '@kard/core';
import { readSafetensors, writeSafetensors } from '../safetensors';
import { OutputExistsError } from '@kard/core';
import {
  CheckpointMismatchError,
  NonFiniteLossError,
  CorruptCheckpointError,
  runTrainingLoop,
  optimizerStep,
  type CheckpointPolicy,
} from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-loop-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => initBackend());

// A toy regression y = x · [1, -2, 3]: each step draws its batch from a shuffled order and jitters the targets with a
// second generator, so a resume that restored the weights but not the order, the position or an RNG would drift.
const X = Array.from({ length: 10 }, (_, i) => [Math.sin(i), Math.cos(2 * i), (i % 3) - 1]);
const Y = X.map(([a, b, c]) => a - 2 * b + 3 * c);

interface Position {
  epoch: number;
  cursor: number;
  order: number[];
}

function toyRun(
  dir: string,
  opts: {
    stopAt: number;
    every?: number;
    keepLast?: number;
    layout?: 'folder' | 'numbered';
    overwrite?: boolean;
    lr?: number;
    resume?: boolean;
    saved?: number[];
    /** The step (from 0) whose targets are NaN. */
    poisonStep?: number;
  },
) {
  const w = tf.variable(tf.zeros([3]), true, undefined, 'float32');
  const optimizer = new AdamW(new Map([['w', w]]), { weightDecay: 0 });
  const order = new Rng(1);
  const noise = new Rng(2);
  const policy: CheckpointPolicy = {
    layout: opts.layout ?? 'folder',
    dir,
    every: opts.every,
    keepLast: opts.keepLast,
    overwrite: opts.overwrite,
    writeWeights: (d) =>
      writeSafetensors(
        path.join(d, 'w.safetensors'),
        new Map([['w', { shape: [3], values: w.dataSync() as Float32Array }]]),
      ),
    readWeights: (d) =>
      w.assign(tf.tensor1d(readSafetensors(path.join(d, 'w.safetensors')).tensors.get('w')!.values as Float32Array)),
    onSaved: (step) => opts.saved?.push(step),
  };
  const losses: number[] = [];
  const run = runTrainingLoop({
    optimizer,
    rngs: { order, noise },
    start: { epoch: 0, cursor: 0, order: order.shuffle([...X.keys()]) } as Position,
    fingerprint: { lr: opts.lr ?? 0.05, n: X.length },
    stopAt: opts.stopAt,
    checkpoints: policy,
    resumeFrom: opts.resume ? 'latest' : undefined,
    yieldBetweenSteps: async () => undefined,
    step: ({ step, position: p }) => {
      const idx = p.order.slice(p.cursor, p.cursor + 4);
      p.cursor += 4;
      if (p.cursor >= X.length)
        Object.assign(p, { epoch: p.epoch + 1, cursor: 0, order: order.shuffle([...X.keys()]) });
      const x = tf.tensor2d(idx.map((i) => X[i]));
      const y = tf.tensor1d(idx.map((i) => (step === opts.poisonStep ? NaN : Y[i] + noise.normal(0, 0.1))));
      const out = optimizerStep(
        optimizer,
        [() => tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(x, tf.reshape(w, [3, 1]))), y))) as tf.Scalar],
        { lr: (opts.lr ?? 0.05) * (1 - step / 30) },
      );
      tf.dispose([x, y]);
      return out.loss;
    },
    afterStep: (_, loss) => void losses.push(loss),
  });
  return run.then((r) => ({ ...r, w: Array.from(w.dataSync()), losses }));
}

describe('runTrainingLoop', () => {
  it('stops on a non-finite loss, naming the step and where its batch starts, with nothing of that step saved', async () => {
    const dir = path.join(tmp, 'nan');
    const saved: number[] = [];
    // Batches of 4 over 10 examples: steps 1-3 are epoch 0 at cursors 0, 4, 8; step 4 starts epoch 1 at 0; step 5 at 4.
    const run = toyRun(dir, { stopAt: 10, every: 2, layout: 'numbered', poisonStep: 4, saved });
    await expect(run).rejects.toThrow(NonFiniteLossError);
    await expect(toyRun(path.join(tmp, 'nan2'), { stopAt: 10, poisonStep: 4 })).rejects.toThrow(
      'training stopped: the loss of step 5 is NaN (batch at epoch 1, cursor 4).',
    );
    expect(saved).toEqual([2, 4]);
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint-2', 'checkpoint-4']);
  });

  test('a run stopped and resumed from its checkpoint ends with the weights of an uninterrupted run', async () => {
    const straight = await toyRun(path.join(tmp, 'straight'), { stopAt: 12 });
    const dir = path.join(tmp, 'interrupted');
    const first = await toyRun(dir, { stopAt: 5, every: 2 });
    expect(first.state.step).toBe(5);
    const rest = await toyRun(dir, { stopAt: 12, resume: true });
    expect(rest.resumedFromStep).toBe(5);
    expect(rest.w).toEqual(straight.w);
    expect([...first.losses, ...rest.losses]).toEqual(straight.losses);
    expect(straight.losses[11]).toBeLessThan(straight.losses[0]); // it did learn
  });

  test('a checkpoint of another run is refused, naming the folder, the differing fields and the way out', async () => {
    const dir = path.join(tmp, 'other');
    await toyRun(dir, { stopAt: 2 });
    const err = await toyRun(dir, { stopAt: 4, lr: 0.1, resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect(err.fields).toEqual(['lr']);
    expect(err.message).toBe(
      `${dir}: this checkpoint comes from another run (lr: checkpoint 0.05, this run 0.1). Delete ${dir} to start ` +
        `the run over, or train into another checkpoint folder.`,
    );
  });

  test('a checkpoint without a fingerprint (written by an older trainer) is refused with the same advice', async () => {
    const dir = path.join(tmp, 'old');
    await toyRun(dir, { stopAt: 2 });
    const file = path.join(dir, 'trainer_state.json');
    const state = JSON.parse(fs.readFileSync(file, 'utf8'));
    delete state.extra.fingerprint;
    fs.writeFileSync(file, JSON.stringify(state));
    await expect(toyRun(dir, { stopAt: 4, resume: true })).rejects.toThrow(
      /has no run fingerprint .*Delete .*old to start the run over/,
    );
  });

  test('numbered checkpoints: every N steps and at the end, only the newest K kept', async () => {
    const dir = path.join(tmp, 'numbered');
    const saved: number[] = [];
    await toyRun(dir, { stopAt: 7, every: 3, keepLast: 2, layout: 'numbered', saved });
    expect(saved).toEqual([3, 6, 7]);
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint-6', 'checkpoint-7']);
    expect(fs.readdirSync(path.join(dir, 'checkpoint-7')).sort()).toEqual([
      'optimizer.safetensors',
      'trainer_state.json',
      'w.safetensors',
    ]);
    const again = await toyRun(dir, { stopAt: 7, layout: 'numbered', resume: true, saved });
    expect(again.resumedFromStep).toBe(7);
    expect(saved).toEqual([3, 6, 7]); // nothing left to do, nothing rewritten
  });

  test('a corrupt checkpoint names itself and the one before; following the advice resumes from that one', async () => {
    const straight = await toyRun(path.join(tmp, 'straight-9'), { stopAt: 9 });
    const dir = path.join(tmp, 'corrupt');
    await toyRun(dir, { stopAt: 6, every: 3, layout: 'numbered' });
    const latest = path.join(dir, 'checkpoint-6');
    const state = path.join(latest, 'trainer_state.json');
    fs.writeFileSync(state, fs.readFileSync(state, 'utf8').slice(0, 40)); // torn
    const err = await toyRun(dir, { stopAt: 9, layout: 'numbered', resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptCheckpointError);
    expect(err.message).toMatch(
      new RegExp(
        `^${latest}: this checkpoint cannot be read \\(${state}:\\d+: malformed JSON: .*\\)\\. ` +
          `Delete ${latest} and rerun to resume from the one before, ${path.join(dir, 'checkpoint-3')} \\(step 3\\)\\.$`,
      ),
    );
    fs.rmSync(latest, { recursive: true });
    const rest = await toyRun(dir, { stopAt: 9, layout: 'numbered', resume: true });
    expect(rest.resumedFromStep).toBe(3);
    expect(rest.w).toEqual(straight.w);
  });

  test('damaged weights in the only checkpoint: named, with the way to start over', async () => {
    const dir = path.join(tmp, 'damaged');
    await toyRun(dir, { stopAt: 2 });
    fs.truncateSync(path.join(dir, 'w.safetensors'), 20);
    await expect(toyRun(dir, { stopAt: 4, resume: true })).rejects.toThrow(
      new RegExp(
        `^${dir}: this checkpoint cannot be read \\(.*w\\.safetensors.*\\)\\. Delete ${dir} and rerun to start the run over\\.$`,
      ),
    );
  });

  test('a checkpoint folder that holds something else is not replaced, unless overwrite', async () => {
    const dir = path.join(tmp, 'notes');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'important.txt'), 'keep');
    await expect(toyRun(dir, { stopAt: 2 })).rejects.toThrow(OutputExistsError);
    expect(fs.readdirSync(dir)).toEqual(['important.txt']);
    await toyRun(dir, { stopAt: 2, overwrite: true });
    expect(fs.readdirSync(dir).sort()).toEqual(['optimizer.safetensors', 'trainer_state.json', 'w.safetensors']);
  });
});

describe('optimizerStep', () => {
  test('two micro-batches step as their mean gradient would, and clipping reports the norm before it', () => {
    const run = (micro: boolean, maxGradNorm?: number) => {
      const w = tf.variable(tf.tensor1d([0.5, -1]));
      const opt = new AdamW(new Map([['w', w]]), { lr: 0.1, weightDecay: 0 });
      const lossOf = (a: number[]) => () => tf.sum(tf.mul(w, tf.tensor1d(a))) as tf.Scalar; // gradient = a
      const out = micro
        ? optimizerStep(opt, [lossOf([2, 0]), lossOf([0, 4])], { lr: 0.1, maxGradNorm })
        : optimizerStep(opt, [lossOf([1, 2])], { lr: 0.1, maxGradNorm });
      return { out, w: Array.from(w.dataSync()) };
    };
    const a = run(true);
    const b = run(false);
    expect(a.w).toEqual(b.w);
    expect(a.out.loss).toBeCloseTo(b.out.loss, 6); // mean of 1 and -4 = 0.5·1 - 1·2
    expect(run(false, 1).out.gradNorm).toBeCloseTo(Math.sqrt(5), 6);
    expect(run(false).out.gradNorm).toBeUndefined();
  });
});
