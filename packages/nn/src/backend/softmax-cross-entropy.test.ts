// The fused loss equals the textbook mean of −log softmax(logits)[label] over non-ignored rows, and its
// gradient equals (softmax − onehot)/count, on cpu (JS kernel), native-cpu (C kernel) and the tfjs-ops path.
import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import { fusedSoftmaxCrossEntropy } from './softmax-cross-entropy';
import { nativeOrSkip, seeded, worstError } from './testing/parity';

const haveNative = nativeOrSkip();
const rows = 6,
  cols = 37;
const logits = seeded(rows * cols, 7, -4, 4);
const labels = [3, -100, 36, 0, 3, 20];

function reference(): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(rows * cols);
  const kept = labels.filter((y) => y !== -100).length;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    if (labels[r] === -100) continue;
    const row = Array.from(logits.subarray(r * cols, (r + 1) * cols));
    const z = row.reduce((s, x) => s + Math.exp(x), 0);
    loss -= Math.log(Math.exp(row[labels[r]]) / z) / kept;
    row.forEach((x, c) => {
      grad[r * cols + c] = (Math.exp(x) / z - (c === labels[r] ? 1 : 0)) / kept;
    });
  }
  return { loss, grad };
}

// 'ops' runs the fallback other backends get: the kernel is hidden by running on a backend without it.
const backends = ['cpu', ...(haveNative ? ['native-cpu'] : [])];

describe('fusedSoftmaxCrossEntropy', () => {
  it.each(backends)('matches the textbook loss and gradient on %s', async (backend) => {
    await tf.setBackend(backend);
    const ref = reference();
    const x = tf.tensor2d(logits, [rows, cols]);
    const y = tf.tensor1d(labels, 'int32');
    const { value, grads } = tf.tidy(() => {
      const r = tf.valueAndGrad((l: tf.Tensor) => fusedSoftmaxCrossEntropy(l as tf.Tensor2D, y))(x);
      return { value: r.value, grads: r.grad };
    });
    expect(value.dataSync()[0]).toBeCloseTo(ref.loss, 5);
    expect(worstError(grads.dataSync() as Float32Array, Float32Array.from(ref.grad), 1e-4, 1e-6)).toBeLessThanOrEqual(
      1,
    );
    // A scaled upstream gradient scales the result (dy reaches the kernel).
    const g3 = tf.tidy(() => tf.grad((l: tf.Tensor) => tf.mul(fusedSoftmaxCrossEntropy(l as tf.Tensor2D, y), 3))(x));
    expect((g3.dataSync() as Float32Array)[0]).toBeCloseTo(3 * ref.grad[0], 6);
    tf.dispose([x, y, value, grads, g3]);
  });

  it('gives the same loss and gradient through plain tfjs ops (the path of wasm and tfjs-node)', async () => {
    await tf.setBackend('cpu');
    const ref = reference();
    const kernel = tf.getKernel('KardSoftmaxCrossEntropy', 'cpu')!;
    tf.unregisterKernel('KardSoftmaxCrossEntropy', 'cpu');
    try {
      const x = tf.tensor2d(logits, [rows, cols]);
      const r = tf.valueAndGrad((l: tf.Tensor) =>
        fusedSoftmaxCrossEntropy(l as tf.Tensor2D, tf.tensor1d(labels, 'int32')),
      )(x);
      expect(r.value.dataSync()[0]).toBeCloseTo(ref.loss, 5);
      expect(
        worstError(r.grad.dataSync() as Float32Array, Float32Array.from(ref.grad), 1e-4, 1e-6),
      ).toBeLessThanOrEqual(1);
    } finally {
      tf.registerKernel(kernel);
    }
  });

  it.each(backends)('is NaN when every row is ignored and rejects out-of-range labels on %s', async (backend) => {
    await tf.setBackend(backend);
    const x = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(Number.isNaN(fusedSoftmaxCrossEntropy(x, tf.tensor1d([-100, -100], 'int32')).dataSync()[0])).toBe(true);
    expect(() => fusedSoftmaxCrossEntropy(x, tf.tensor1d([1, 4], 'int32'))).toThrow(/label 4 at row 1/);
    expect(() => fusedSoftmaxCrossEntropy(x, tf.tensor1d([1], 'int32'))).toThrow(
      /expected logits \[N, V\] and labels \[N\]/,
    );
  });
});
