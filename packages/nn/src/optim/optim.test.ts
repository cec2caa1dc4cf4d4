import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { nativeOrSkip, seeded } from '../backend/testing/parity';
import { AdamW, clipByGlobalNorm, GradientAccumulator, linearSchedule } from './index';

/** torch.optim.AdamW's documented algorithm, for one scalar, in float64. */
function referenceAdamW(
  p0: number,
  grads: number[],
  lrs: number[],
  wd: number,
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
): number[] {
  let p = p0,
    m = 0,
    v = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    p = p - lrs[i] * wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mHat = m / (1 - b1 ** t);
    const vHat = v / (1 - b2 ** t);
    p = p - (lrs[i] * mHat) / (Math.sqrt(vHat) + eps);
    out.push(p);
  });
  return out;
}

describe('AdamW', () => {
  beforeAll(() => initBackend());

  test('first step by hand: p(1 - lr*wd) - lr * sign(g)', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW(new Map([['w', w]]), { lr: 0.1, weightDecay: 0.01 });
    opt.applyGradients({ w: tf.tensor1d([0.5, -3]) });
    const got = w.dataSync();
    expect(got[0]).toBeCloseTo(1 * 0.999 - 0.1, 6);
    expect(got[1]).toBeCloseTo(-2 * 0.999 + 0.1, 6);
  });

  test('five steps with a schedule match the reference within float32 precision', () => {
    const grads = [
      [0.3, -1.2, 4],
      [0.1, 0.2, -3],
      [-0.5, 0, 2],
      [1, 1, 1],
      [0.01, -0.02, 0.5],
    ];
    const p0 = [0.5, -0.25, 2];
    const lrs = [0.01, 0.02, 0.03, 0.02, 0.01];
    const w = tf.variable(tf.tensor1d(p0));
    const opt = new AdamW(new Map([['w', w]]), { weightDecay: 0.1 });
    grads.forEach((g, i) => tf.tidy(() => opt.applyGradients({ w: tf.tensor1d(g) }, lrs[i])));
    const got = w.dataSync();
    p0.forEach((p, j) => {
      const ref = referenceAdamW(
        p,
        grads.map((g) => g[j]),
        lrs,
        0.1,
      );
      expect(Math.abs(got[j] - ref[4])).toBeLessThan(1e-6);
    });
    expect(opt.step).toBe(5);
  });

  test('decays filter exempts parameters from weight decay; state round-trips', () => {
    const a = tf.variable(tf.tensor1d([1])),
      b = tf.variable(tf.tensor1d([1]));
    const opt = new AdamW(
      new Map([
        ['a', a],
        ['b.bias', b],
      ]),
      { lr: 0.1, weightDecay: 0.5, decays: (n) => !n.endsWith('bias') },
    );
    opt.applyGradients({ a: tf.tensor1d([1]), 'b.bias': tf.tensor1d([1]) });
    expect(a.dataSync()[0]).toBeCloseTo(1 * 0.95 - 0.1, 6);
    expect(b.dataSync()[0]).toBeCloseTo(1 - 0.1, 6);
    const opt2 = new AdamW(
      new Map([
        ['a', a],
        ['b.bias', b],
      ]),
    );
    opt2.setState(opt.getState());
    expect(opt2.step).toBe(1);
    expect(opt2.getState().expAvg.get('a')!.dataSync()[0]).toBeCloseTo(0.1, 7);
  });

  test('no leaked tensors per step', () => {
    const w = tf.variable(tf.randomNormal([3, 3]));
    const opt = new AdamW(new Map([['w', w]]));
    const g = tf.ones([3, 3]);
    opt.applyGradients({ w: g });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.applyGradients({ w: g });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('AdamW fused vs op-by-op', () => {
  const backends = nativeOrSkip() ? ['native-cpu', 'cpu'] : ['cpu'];
  afterAll(() => initBackend());

  test.each(backends)(
    '%s: the fused update (in place) and the op path give the same parameters and moments over 6 steps',
    async (backend) => {
      await tf.setBackend(backend);
      const shapes: [string, number[]][] = [
        ['w', [37, 13]],
        ['layer_norm.weight', [13]],
        ['b', [5]],
      ];
      const run = (fused: boolean) => {
        const params = new Map(
          shapes.map(([n, s], i) => [
            n,
            tf.tidy(() =>
              tf.variable(
                tf.tensor(
                  seeded(
                    s.reduce((a, b) => a * b),
                    10 + i,
                  ),
                  s,
                ),
              ),
            ),
          ]),
        );
        const opt = new AdamW(params, {
          weightDecay: 0.1,
          eps: 1e-6,
          betas: [0.8, 0.95],
          decays: (n) => !n.includes('layer_norm'),
          fused,
        });
        for (let t = 1; t <= 6; t++) {
          const grads = new Map(
            shapes
              .filter(([n]) => n !== 'b' || t % 2 === 0)
              .map(([n, s], i) => [
                n,
                tf.tensor(
                  seeded(
                    s.reduce((a, b) => a * b),
                    100 * t + i,
                    -3,
                    3,
                  ),
                  s,
                ),
              ]),
          );
          opt.applyGradients(grads, 0.01 * t);
          tf.dispose([...grads.values()]);
        }
        const state = opt.getState();
        const out = [...params].flatMap(([n, p]) =>
          [p, state.expAvg.get(n)!, state.expAvgSq.get(n)!].map((t) => Array.from(t.dataSync())),
        );
        opt.dispose();
        tf.dispose([...params.values()]);
        return out;
      };
      const before = tf.memory().numTensors;
      const fused = run(true),
        ops = run(false);
      expect(tf.memory().numTensors).toBe(before);
      fused.forEach((arr, j) =>
        arr.forEach((x, i) =>
          expect(Math.abs(x - ops[j][i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ops[j][i]))),
        ),
      );
      expect(fused[0].some((x, i) => Math.abs(x - seeded(37 * 13, 10)[i]) > 1e-3)).toBe(true); // the parameters moved
    },
  );
});

describe('linearSchedule', () => {
  test('warm-up then linear decay, as get_linear_schedule_with_warmup', () => {
    const s = linearSchedule({ lr: 1, warmupSteps: 4, totalSteps: 12 });
    expect([0, 1, 2, 4, 8, 12, 20].map(s)).toEqual([0, 0.25, 0.5, 1, 0.5, 0, 0]);
    const noWarm = linearSchedule({ lr: 2, totalSteps: 4 });
    expect([0, 1, 3].map(noWarm)).toEqual([2, 1.5, 0.5]);
  });
});

describe('gradients', () => {
  test('clipByGlobalNorm scales by maxNorm/(norm+1e-6) only when the norm exceeds it', () => {
    // norm of (3,4) and (12) is 13
    const grads = new Map([
      ['a', tf.tensor1d([3, 4])],
      ['b', tf.tensor1d([12])],
    ]);
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.3);
    expect(norm).toBeCloseTo(13, 5);
    const c = 1.3 / (13 + 1e-6);
    expect(clipped.get('a')!.dataSync()[1]).toBeCloseTo(4 * c, 6);
    expect(clipped.get('b')!.dataSync()[0]).toBeCloseTo(12 * c, 6);
    const small = new Map([['a', tf.tensor1d([0.3, 0.4])]]);
    const r = clipByGlobalNorm(small, 1);
    expect(r.grads).toBe(small);
  });

  test('accumulating micro-batches with weight 1/N gives the mean gradient', () => {
    const acc = new GradientAccumulator();
    acc.add({ w: tf.tensor1d([1, 2]) }, 0.5);
    acc.add({ w: tf.tensor1d([3, 6]) }, 0.5);
    expect(acc.count).toBe(2);
    const sum = acc.take();
    expect([...sum.get('w')!.dataSync()]).toEqual([2, 4]);
    expect(acc.count).toBe(0);
  });
});
