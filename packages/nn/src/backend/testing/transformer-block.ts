// A tiny transformer block's training step (embedding gather, RMS norm, multi-head attention with a causal mask,
// ReLU feed-forward, tied LM head, fused cross-entropy) from plain tfjs ops, for the backend parity tests.
import * as tf from '@tensorflow/tfjs-core';
import '../../autodiff';
import { fusedSoftmaxCrossEntropy } from '../softmax-cross-entropy';
import { seeded } from './parity';

const batch = 2,
  t = 5,
  d = 12,
  heads = 3,
  dff = 20,
  vocab = 23;

/** [loss, gradient of each of the 9 parameters (the embedding first)]. */
export function transformerBlockStep(): tf.Tensor[] {
  let s = 1;
  const w = (shape: number[]) =>
    tf.variable(
      tf.tensor(
        seeded(
          shape.reduce((a, b) => a * b, 1),
          s++,
          -0.5,
          0.5,
        ),
        shape,
      ),
    );
  const emb = w([vocab, d]),
    wq = w([d, d]),
    wk = w([d, d]),
    wv = w([d, d]),
    wo = w([d, d]);
  const wi = w([dff, d]),
    wf = w([d, dff]),
    g = w([d]),
    bi = w([dff]);
  const ids = tf.tensor1d(
    Array.from({ length: batch * t }, (_, i) => (i * 7 + 3) % vocab),
    'int32',
  );
  const labels = tf.tensor1d(
    Array.from({ length: batch * t }, (_, i) => (i % 4 === 3 ? -100 : (i * 5 + 1) % vocab)),
    'int32',
  );
  const mask = tf.tensor(
    Array.from({ length: t * t }, (_, k) => (k % t > Math.floor(k / t) ? -1e9 : 0)),
    [1, 1, t, t],
  );
  const vars = [emb, wq, wk, wv, wo, wi, wf, g, bi];
  const split = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [batch, t, heads, d / heads]), [0, 2, 1, 3]);
  const lossFn = () => {
    const h = tf.gather(emb, ids);
    const norm = tf.mul(tf.mul(h, tf.rsqrt(tf.add(tf.mean(tf.square(h), -1, true), 1e-6))), g);
    const q = split(tf.matMul(norm, wq, false, true)),
      k = split(tf.matMul(norm, wk, false, true));
    const v = split(tf.matMul(norm, wv, false, true));
    const p = tf.softmax(tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d / heads)), mask));
    const att = tf.reshape(tf.transpose(tf.matMul(p, v), [0, 2, 1, 3]), [batch * t, d]);
    const h2 = tf.add(h, tf.matMul(att, wo));
    const ff = tf.matMul(tf.relu(tf.add(tf.matMul(h2, wi, false, true), bi)), wf, false, true);
    const h3 = tf.add(h2, tf.tanh(ff));
    const logits = tf.matMul(tf.sub(h3, tf.max(h3, -1, true)), emb, false, true);
    return fusedSoftmaxCrossEntropy(logits as tf.Tensor2D, labels);
  };
  const { value, grads } = tf.variableGrads(lossFn, vars);
  const out = [value, ...vars.map((x) => grads[x.name])];
  tf.dispose(vars);
  return out;
}
