// The building blocks BERT needs beyond @kard/nn's layers, written with tfjs-core ops only so that any registered
// backend runs them.
import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm } from '@kard/nn';

/** PyTorch `nn.Linear`: `x @ weight^T + bias`, weight stored [out, in] as in Hugging Face checkpoints. */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1];
  const outDim = weight.shape[0];
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
  let y: tf.Tensor = tf.matMul(flat, weight as tf.Tensor2D, false, true);
  if (bias) y = tf.add(y, bias);
  return tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
}

/** LayerNorm over the last axis with biased variance, as PyTorch computes it. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const axis = x.shape.length - 1;
  const { mean, variance } = tf.moments(x, axis, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/**
 * nn's LayerNorm (same parameters, same forward values) computing the variance with `tf.moments`, as this encoder
 * always has: the backward pass then sums its gradient terms in the same order, so training stays bit-identical
 * to rerankers trained before BERT became an nn Module.
 */
export class BertLayerNorm extends LayerNorm {
  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/**
 * Inverted dropout with tfjs's seeded mask; a no-op when `rate` is 0 or outside training. (nn's `dropout` hashes its
 * mask differently, so switching would change every trained reranker.)
 */
export function dropout(x: tf.Tensor, rate: number, training: boolean, seed?: number): tf.Tensor {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, seed);
}
