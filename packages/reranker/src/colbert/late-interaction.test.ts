import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { Rng } from '@kard/core';
import { lateInteraction, lateInteractionAllPairs, maxLastAxis } from './late-interaction';

beforeAll(() => initBackend());

describe('lateInteraction', () => {
  it(
    'equals the brute-force sum over query tokens of the ' + 'max dot product over passage tokens, ignoring padding',
    () => {
      const rng = new Rng(7);
      const [B, k, Lq, Ld, D] = [2, 3, 4, 5, 6];
      const q = rng.normalArray(B * Lq * D);
      const d = rng.normalArray(B * k * Ld * D);
      const qLen = [4, 2];
      const dLen = [
        [5, 1, 3],
        [2, 5, 4],
      ];
      const qMask = new Int32Array(B * Lq).map((_, i) => Number(i % Lq < qLen[Math.floor(i / Lq)]));
      const dMask = new Int32Array(B * k * Ld).map((_, i) =>
        Number(i % Ld < dLen[Math.floor(i / (k * Ld))][Math.floor(i / Ld) % k]),
      );
      // Padding values must not matter: make them huge.
      for (let i = 0; i < B * k * Ld; i++) if (!dMask[i]) d.fill(1e6, i * D, (i + 1) * D);
      for (let i = 0; i < B * Lq; i++) if (!qMask[i]) q.fill(1e6, i * D, (i + 1) * D);

      const got = lateInteraction(
        tf.tensor3d(q, [B, Lq, D]),
        tf.tensor2d(qMask, [B, Lq], 'int32'),
        tf.tensor4d(d, [B, k, Ld, D]),
        tf.tensor3d(dMask, [B, k, Ld], 'int32'),
      ).arraySync();

      for (let b = 0; b < B; b++) {
        for (let j = 0; j < k; j++) {
          let expected = 0;
          for (let i = 0; i < qLen[b]; i++) {
            let best = -Infinity;
            for (let t = 0; t < dLen[b][j]; t++) {
              let dot = 0;
              for (let c = 0; c < D; c++) dot += q[(b * Lq + i) * D + c] * d[((b * k + j) * Ld + t) * D + c];
              best = Math.max(best, dot);
            }
            expected += best;
          }
          expect(got[b][j]).toBeCloseTo(expected, 3);
        }
      }
    },
  );
});

describe('lateInteractionAllPairs', () => {
  it('scores every query against every passage as lateInteraction does with all passages as candidates', () => {
    const rng = new Rng(11);
    const [Bq, Bd, Lq, Ld, D] = [3, 4, 5, 6, 7];
    const q = tf.tensor3d(rng.normalArray(Bq * Lq * D), [Bq, Lq, D]);
    const d = tf.tensor3d(rng.normalArray(Bd * Ld * D), [Bd, Ld, D]);
    const qLen = [5, 1, 3];
    const dLen = [6, 2, 1, 4];
    const qMask = tf.tensor2d(
      Int32Array.from({ length: Bq * Lq }, (_, i) => Number(i % Lq < qLen[Math.floor(i / Lq)])),
      [Bq, Lq],
      'int32',
    );
    const dMask = tf.tensor2d(
      Int32Array.from({ length: Bd * Ld }, (_, i) => Number(i % Ld < dLen[Math.floor(i / Ld)])),
      [Bd, Ld],
      'int32',
    );
    const got = lateInteractionAllPairs(q, qMask, d, dMask);
    // the reference: each query with the whole passage batch as its k = Bd candidates
    const tiled = lateInteraction(
      q,
      qMask,
      tf.tile(tf.expandDims(d, 0), [Bq, 1, 1, 1]) as tf.Tensor4D,
      tf.tile(tf.expandDims(dMask, 0), [Bq, 1, 1]) as tf.Tensor3D,
    );
    expect(got.shape).toEqual([Bq, Bd]);
    const [a, b] = [got.dataSync(), tiled.dataSync()];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
  });
});

describe('maxLastAxis', () => {
  it("has tf.max's values and gradient (one arg-max per row gets dy, the rest 0)", () => {
    const x = tf.tensor3d(new Rng(5).normalArray(2 * 3 * 5), [2, 3, 5]);
    const w = tf.tensor2d([
      [1, -2, 3],
      [0.5, 4, -1],
    ]); // a loss that weighs each row's max differently
    const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(maxLastAxis(t), w)))(x);
    const theirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.max(t, -1), w)))(x);
    expect(Array.from(maxLastAxis(x).dataSync())).toEqual(Array.from(tf.max(x, -1).dataSync()));
    // + 0: −0 is 0
    expect(Array.from(ours.dataSync(), (g) => g + 0)).toEqual(Array.from(theirs.dataSync(), (g) => g + 0));
    expect(Array.from(ours.dataSync()).filter((g) => g !== 0)).toHaveLength(6);
  });
});
