import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@kard/nn';
import { lateInteraction } from './late-interaction';

beforeAll(() => initBackend());

describe('lateInteraction', () => {
  it('equals the brute-force sum over query tokens of the max dot product over passage tokens, ignoring padding', () => {
    const rng = new Rng(7);
    const [B, k, Lq, Ld, D] = [2, 3, 4, 5, 6];
    const q = rng.normalArray(B * Lq * D);
    const d = rng.normalArray(B * k * Ld * D);
    const qLen = [4, 2];
    const dLen = [[5, 1, 3], [2, 5, 4]];
    const qMask = new Int32Array(B * Lq).map((_, i) => Number(i % Lq < qLen[Math.floor(i / Lq)]));
    const dMask = new Int32Array(B * k * Ld).map((_, i) => Number(i % Ld < dLen[Math.floor(i / (k * Ld))][Math.floor(i / Ld) % k]));
    // Padding values must not matter: make them huge.
    for (let i = 0; i < B * k * Ld; i++) if (!dMask[i]) d.fill(1e6, i * D, (i + 1) * D);
    for (let i = 0; i < B * Lq; i++) if (!qMask[i]) q.fill(1e6, i * D, (i + 1) * D);

    const got = lateInteraction(
      tf.tensor3d(q, [B, Lq, D]), tf.tensor2d(qMask, [B, Lq], 'int32'),
      tf.tensor4d(d, [B, k, Ld, D]), tf.tensor3d(dMask, [B, k, Ld], 'int32'),
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
  });
});
