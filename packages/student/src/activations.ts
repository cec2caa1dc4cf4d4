import * as tf from '@tensorflow/tfjs-core';
import { gelu, geluNew } from '@kard/nn';

/** Hugging Face's ACT2FN names that our models use. */
export function activation(name: string): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return geluNew;
    case 'gelu':
      return gelu;
    case 'silu':
    case 'swish':
      return (x) => tf.mul(x, tf.sigmoid(x));
    default:
      throw new Error(`unsupported activation function "${name}"`);
  }
}

/** Initialiser drawing N(0, std^2) from a seeded generator, so a model built from a seed is reproducible. */
export function normalInit(rng: { normalArray(n: number, mean?: number, std?: number): Float32Array }, std: number) {
  return (shape: number[]) =>
    tf.tensor(
      rng.normalArray(
        shape.reduce((a, b) => a * b, 1),
        0,
        std,
      ),
      shape,
      'float32',
    );
}

/** Large negative added to masked attention scores (finite, so fully masked rows stay NaN-free). */
export const MASK_VALUE = -1e9;

/** [B, S] 1/0 attention mask -> additive [B, 1, 1, S]. */
export function additiveMask(mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), MASK_VALUE), [mask.shape[0], 1, 1, mask.shape[1]!]),
  );
}

/** Additive causal mask [1, 1, T, T]: query i sees keys 0..i. */
export function causalMask(t: number): tf.Tensor {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = MASK_VALUE;
  return tf.tensor(m, [1, 1, t, t]);
}

/** [B, T, H*dk] -> [B, H, T, dk]. */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [b, t, d] = x.shape;
  return tf.transpose(tf.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, H, T, dk] -> [B, T, H*dk]. */
export function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, h, t, dk] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * dk]);
}
