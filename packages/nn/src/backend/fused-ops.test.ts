// native-cpu's fused kernels (RMS norm, softmax and ReLU backward, dropout masks, gradient norms) and its
// threaded paths (shapes large enough to split over threads) against the plain cpu backend running tfjs ops.
import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import { dropout, dropoutMask } from '../module';
import { clipByGlobalNorm, globalNorm } from '../optim';
import { Rng } from '@kard/core';
import { rmsNorm } from './fused-ops';
import { loadNativeAddon } from './native-addon';
import { expectParity, nativeOrSkip, rand, seeded } from './testing/parity';

const haveNative = nativeOrSkip();
const maybe = haveNative ? describe : describe.skip;

/** The op-by-op RMS norm (HF's T5LayerNorm) as the reference. */
const rmsNormOps = (x: tf.Tensor, w: tf.Tensor, eps: number) =>
  tf.mul(w, tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))));

maybe('fused kernels on native-cpu', () => {
  it('rmsNorm: forward and both gradients equal the op path on cpu (small, and large enough to thread)', async () => {
    for (const shape of [
      [3, 5, 37],
      [260, 512],
    ]) {
      const d = shape[shape.length - 1];
      await expectParity(
        () => {
          const x = rand(shape, -2, 2),
            w = rand([d], 0.5, 1.5),
            r = rand(shape);
          const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a, b, 1e-6), r));
          const [gx, gw] = tf.grads(f)([x, w]);
          return [rmsNorm(x, w, 1e-6), gx, gw];
        },
        1e-4,
        1e-5,
      );
    }
    // The cpu side of expectParity ran rmsNorm's op path; check that path against the formula too.
    await tf.setBackend('cpu');
    const x = rand([4, 9]),
      w = rand([9]);
    expect(Array.from(rmsNorm(x, w, 1e-6).dataSync())).toEqual(Array.from(rmsNormOps(x, w, 1e-6).dataSync()));
  });

  it("softmax and ReLU gradients equal tfjs-core's formulas on cpu", async () => {
    for (const shape of [
      [4, 7, 33],
      [64, 1024],
    ]) {
      await expectParity(() => {
        const x = rand(shape, -4, 4),
          r = rand(shape);
        return [
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.softmax(a), r)))(x),
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), r)))(x),
        ];
      });
    }
  });

  it(
    'the dropout mask is bit-identical in C and JS, keeps ' + '1 - rate of the elements, and scales by 1 / (1 - rate)',
    async () => {
      const n = 300_001;
      for (const [rate, seed] of [
        [0.1, 1],
        [0.5, 4294967295],
        [0.9, 12345],
      ]) {
        await tf.setBackend('native-cpu');
        const c = dropoutMask(n, rate, seed);
        await tf.setBackend('cpu');
        const js = dropoutMask(n, rate, seed);
        expect(Buffer.from(c.buffer).equals(Buffer.from(js.buffer))).toBe(true);
        const kept = js.filter((v) => v !== 0);
        expect(new Set(kept)).toEqual(new Set([Math.fround(1 / (1 - rate))]));
        const sd = Math.sqrt(n * rate * (1 - rate));
        expect(Math.abs(kept.length - n * (1 - rate))).toBeLessThan(5 * sd);
      }
      expect(dropoutMask(1000, 0.3, 1)).not.toEqual(dropoutMask(1000, 0.3, 2));
      expect(() => dropoutMask(10, 1, 1)).toThrow(/\[0, 1\)/);
      const x = tf.ones([5]);
      expect(dropout(x, 0.5, undefined)).toBe(x);
      const a = new Rng(3),
        b = new Rng(3);
      expect(dropout(x, 0.5, a).dataSync()).toEqual(dropout(x, 0.5, b).dataSync()); // same Rng state, same mask
    },
  );

  it('globalNorm and clipByGlobalNorm: float64 reference, in-place scaling, shared buffers left alone', async () => {
    for (const backend of ['native-cpu', 'cpu']) {
      await tf.setBackend(backend);
      const a = seeded(200_003, 7, -3, 3),
        b = seeded(17, 8);
      let ref = 0;
      for (const v of [...a, ...b]) ref += v * v;
      const ga = tf.tensor(a.slice()),
        gb = tf.tensor(b.slice()); // cpu tensors keep the array they are given
      const kept = tf.clone(gb); // shares gb's buffer: clipping must not change it
      const relErr = (x: number) => Math.abs(x - Math.sqrt(ref)) / Math.sqrt(ref);
      expect(
        relErr(
          globalNorm(
            new Map([
              ['a', ga],
              ['b', gb],
            ]),
          ),
        ),
      ).toBeLessThan(1e-7);
      const { grads, norm } = clipByGlobalNorm(
        new Map([
          ['a', ga],
          ['b', gb],
        ]),
        1,
      );
      expect(relErr(norm)).toBeLessThan(1e-7);
      expect(grads.get('a')).toBe(ga); // scaled in place
      const coef = 1 / (Math.sqrt(ref) + 1e-6);
      expect(grads.get('a')!.dataSync()[5]).toBeCloseTo(a[5] * coef, 6);
      expect(grads.get('b')!.dataSync()[3]).toBeCloseTo(b[3] * coef, 6);
      expect(Array.from(kept.dataSync())).toEqual(Array.from(b));
      tf.dispose([...grads.values(), kept, ga, gb]);
    }
  });

  it(
    'threaded paths give what the cpu kernels give: broadcasts, unary, softmax, transposes, batched GEMMs, ' +
      'cross-entropy',
    async () => {
      const big = [260, 512];
      await expectParity(() => [
        tf.add(rand(big), rand([512])),
        tf.mul(rand(big), rand([260, 1])),
        tf.sub(rand([140_000]), rand([140_000])),
      ]);
      await expectParity(() => [tf.exp(rand([140_001], -5, 5)), tf.softmax(rand(big, -9, 9))]);
      await expectParity(() => [
        tf.transpose(rand([4, 8, 64, 64]), [0, 2, 1, 3]),
        tf.transpose(rand([500, 300]), [1, 0]),
      ]);
      await expectParity(() => [
        tf.matMul(rand([16, 64, 48]), rand([16, 48, 32])), // many small products: spread over threads
        tf.matMul(rand([4, 2, 128, 64]), rand([4, 2, 96, 64]), false, true),
        tf.matMul(rand([8, 512]), rand([300, 512]), false, true), // tiny: one thread
      ]);
      await expectParity(() =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(
            tf.tensor1d(
              Array.from({ length: 140 }, (_, i) => (i * 7) % 1000),
              'int32',
            ),
            1000,
          ),
          rand([140, 1000], -3, 3),
        ),
      );
    },
  );

  it('an identity transpose shares its input buffer instead of copying it', async () => {
    await tf.setBackend('native-cpu');
    const x = tf.tensor(seeded(1000, 3), [40, 25]);
    const y = tf.transpose(x, [0, 1]);
    expect(y.dataId).toBe(x.dataId);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  it('setThreads: one thread and two give the same sums of squares', () => {
    const addon = loadNativeAddon().addon!;
    const x = seeded(1_000_003, 9);
    const threads = addon.info().kernelThreads;
    addon.setThreads(1);
    const one = addon.sumSquares(x);
    addon.setThreads(2);
    const two = addon.sumSquares(x);
    addon.setThreads(threads);
    expect(two).toBe(one);
  });
});
