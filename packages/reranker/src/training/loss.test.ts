import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { kardCeLoss, kardKlLoss } from './loss';

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

describe('kardCeLoss', () => {
  const model = [
    [30, 10, -20],
    [5, 5, 50],
    [0, 4, 8],
  ];
  const bm25 = [
    [2, 7, 0], // label 1
    [3, 1, 3], // a tie: the first, 0 (torch.argmax)
    [0, 0, 0.5], // label 2
  ];

  it('equals −mean log softmax(s/τ_model)[argmax BM25], by hand', () => {
    // τ_model = 10: row 0 logits (3, 1, −2) with label 1; row 1 (0.5, 0.5, 5) with label 0; row 2 (0, 0.4, 0.8), 2
    const e = Math.exp;
    const nll0 = -(1 - Math.log(e(3) + e(1) + e(-2)));
    const nll1 = -(0.5 - Math.log(e(0.5) + e(0.5) + e(5)));
    const nll2 = -(0.8 - Math.log(e(0) + e(0.4) + e(0.8)));
    const got = kardCeLoss(tf.tensor2d(model), tf.tensor2d(bm25), 10).dataSync()[0];
    expect(got).toBeCloseTo((nll0 + nll1 + nll2) / 3, 5);
  });

  it('has gradient (softmax − onehot) / (τ_model · B), matching central finite differences of the hand loss', () => {
    const tauModel = 4;
    const labels = [1, 0, 2];
    const g = tf
      .grad((x: tf.Tensor) => kardCeLoss(x as tf.Tensor2D, tf.tensor2d(bm25), tauModel))(tf.tensor2d(model))
      .arraySync() as number[][];
    // float64 hand loss, differentiated numerically entry by entry
    const lossOf = (m: number[][]) =>
      m.reduce((acc, row, b) => acc - Math.log(softmax(row.map((v) => v / tauModel))[labels[b]]), 0) / m.length;
    const h = 1e-4;
    model.forEach((row, b) =>
      row.forEach((_, j) => {
        const plus = model.map((r) => r.slice());
        const minus = model.map((r) => r.slice());
        plus[b][j] += h;
        minus[b][j] -= h;
        expect(g[b][j]).toBeCloseTo((lossOf(plus) - lossOf(minus)) / (2 * h), 4);
        const q = softmax(row.map((v) => v / tauModel));
        expect(g[b][j]).toBeCloseTo((q[j] - (j === labels[b] ? 1 : 0)) / (tauModel * 3), 6);
      }),
    );
  });
});
