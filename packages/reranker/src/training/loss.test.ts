import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { kardKlLoss } from './loss';

const softmax = (x: number[]) => {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

beforeAll(() => initBackend());

describe('kardKlLoss', () => {
  const model = [
    [30, 10, -20],
    [5, 5, 50],
  ];
  const bm25 = [
    [2, 1, 0],
    [0, 0, 3],
  ];

  it('equals KL(softmax(bm25/τ) ‖ softmax(s/τ_model)) averaged over the batch, by hand', () => {
    // Row 0 by hand with τ = 1, τ_model = 10: p = softmax(2, 1, 0), q = softmax(3, 1, −2).
    const e = Math.exp;
    const p0 = [e(2), e(1), e(0)].map((v) => v / (e(2) + e(1) + 1));
    const q0 = [e(3), e(1), e(-2)].map((v) => v / (e(3) + e(1) + e(-2)));
    const kl0 = p0.reduce((acc, p, i) => acc + p * Math.log(p / q0[i]), 0);
    const p1 = softmax([0, 0, 3]);
    const q1 = softmax([0.5, 0.5, 5]);
    const kl1 = p1.reduce((acc, p, i) => acc + p * Math.log(p / q1[i]), 0);
    const got = kardKlLoss(tf.tensor2d(model), tf.tensor2d(bm25), 1, 10).dataSync()[0];
    expect(got).toBeCloseTo((kl0 + kl1) / 2, 5);
  });

  it(
    'has gradient (q − p) / (τ_model · B) with respect ' + 'to the model scores, and matches finite differences',
    () => {
      const tau = 2;
      const tauModel = 10;
      const s = tf.tensor2d(model);
      const g = tf
        .grad((x: tf.Tensor) => kardKlLoss(x as tf.Tensor2D, tf.tensor2d(bm25), tau, tauModel))(s)
        .arraySync() as number[][];
      model.forEach((row, b) => {
        const p = softmax(bm25[b].map((v) => v / tau));
        const q = softmax(row.map((v) => v / tauModel));
        row.forEach((_, j) => expect(g[b][j]).toBeCloseTo((q[j] - p[j]) / (tauModel * 2), 6));
      });
      // Central differences in float64 on the hand formula of the loss.
      const lossOf = (m: number[][]) =>
        m.reduce((acc, row, b) => {
          const p = softmax(bm25[b].map((v) => v / tau));
          const q = softmax(row.map((v) => v / tauModel));
          return acc + p.reduce((a, pi, i) => a + pi * Math.log(pi / q[i]), 0);
        }, 0) / m.length;
      const h = 1e-4;
      const plus = model.map((r) => r.slice());
      const minus = model.map((r) => r.slice());
      plus[1][2] += h;
      minus[1][2] -= h;
      expect(g[1][2]).toBeCloseTo((lossOf(plus) - lossOf(minus)) / (2 * h), 5);
    },
  );

  it('gives a uniform target when every candidate scores zero for the rationale', () => {
    const s = [[1, 2, 3]];
    const got = kardKlLoss(tf.tensor2d(s), tf.tensor2d([[0, 0, 0]]), 1, 1).dataSync()[0];
    const q = softmax(s[0]);
    expect(got).toBeCloseTo(
      q.reduce((a, qi) => a + (1 / 3) * Math.log(1 / 3 / qi), 0),
      5,
    );
  });
});
