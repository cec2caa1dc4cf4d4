// fusedAdamWUpdate follows torch.optim.AdamW's formula (written out here in float64) for several steps, in place
// and through the copy-on-write and tfjs-ops paths.
import * as tf from '@tensorflow/tfjs-core';
import { fusedAdamWUpdate } from './adamw-update';
import { nativeOrSkip, seeded, worstError } from './testing/parity';

const haveNative = nativeOrSkip();
const n = 257;
const hp = { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 };

function torchAdamW(steps: number): Float64Array {
  const p = Float64Array.from(seeded(n, 1)),
    m = new Float64Array(n),
    v = new Float64Array(n);
  for (let t = 1; t <= steps; t++) {
    const g = seeded(n, 100 + t);
    for (let i = 0; i < n; i++) {
      p[i] *= 1 - hp.lr * hp.weightDecay;
      m[i] = hp.beta1 * m[i] + (1 - hp.beta1) * g[i];
      v[i] = hp.beta2 * v[i] + (1 - hp.beta2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - hp.beta2 ** t) + hp.eps;
      p[i] -= (hp.lr / (1 - hp.beta1 ** t)) * (m[i] / denom);
    }
  }
  return p;
}

const cases: [string, boolean][] = [
  ['cpu', false],
  ['cpu', true],
  ['wasm-like ops path', false],
];
if (haveNative) cases.push(['native-cpu', false], ['native-cpu', true]);

describe('fusedAdamWUpdate', () => {
  it.each(cases)('matches torch AdamW over 5 steps on %s (shared buffers: %s)', async (backend, shared) => {
    await tf.setBackend(backend === 'wasm-like ops path' ? 'cpu' : backend);
    const init = tf.tensor1d(seeded(n, 1));
    const param = tf.variable(init);
    if (!shared) init.dispose(); // tf.variable(x) shares x's buffer while x lives
    const m = tf.tidy(() => tf.variable(tf.zeros([n]))),
      v = tf.tidy(() => tf.variable(tf.zeros([n])));
    const spy = backend === 'wasm-like ops path' ? jest.spyOn(tf, 'getBackend').mockReturnValue('wasm') : null;
    try {
      for (let t = 1; t <= 5; t++) {
        const g = tf.tensor1d(seeded(n, 100 + t));
        fusedAdamWUpdate(param, g, m, v, { ...hp, step: t });
        g.dispose();
      }
    } finally {
      spy?.mockRestore();
    }
    expect(
      worstError(param.dataSync() as Float32Array, Float32Array.from(torchAdamW(5)), 1e-5, 1e-6),
    ).toBeLessThanOrEqual(1);
    if (shared) expect(Array.from(init.dataSync())).toEqual(Array.from(seeded(n, 1))); // the shared tensor is untouched
    tf.dispose([param, m, v, init]);
  });

  it('rejects mismatched shapes', () => {
    const p = tf.variable(tf.zeros([3])),
      m = tf.variable(tf.zeros([3])),
      v = tf.variable(tf.zeros([3]));
    expect(() => fusedAdamWUpdate(p, tf.zeros([4]), m, v, { lr: 1, step: 1 })).toThrow(/shapes differ/);
  });
});
