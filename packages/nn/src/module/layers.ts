import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';

/** torch.nn.Linear: weight [out, in] (Hugging Face's layout), optional bias [out]. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { bias?: boolean; init?: (shape: number[]) => tf.Tensor } = {},
  ) {
    super();
    const init = opts.init ?? ((s: number[]) => tf.randomNormal(s, 0, 0.02));
    this.weight = this.addParam('weight', init([outFeatures, inFeatures]));
    if (opts.bias ?? true) this.bias = this.addParam('bias', tf.zeros([outFeatures]));
  }

  /** x [..., in] -> [..., out]. */
  forward(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    const y2 = tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.weight, false, true);
    const y = this.bias ? tf.add(y2, this.bias) : y2;
    return tf.reshape(y, [...lead, this.outFeatures]);
  }
}

/** Hugging Face's GPT-2 Conv1D: a linear layer whose weight is stored [in, out]. */
export class Conv1D extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: { init?: (shape: number[]) => tf.Tensor } = {},
  ) {
    super();
    const init = opts.init ?? ((s: number[]) => tf.randomNormal(s, 0, 0.02));
    this.weight = this.addParam('weight', init([inFeatures, outFeatures]));
    this.bias = this.addParam('bias', tf.zeros([outFeatures]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.weight), this.bias), [
      ...lead,
      this.outFeatures,
    ]);
  }
}

/** torch.nn.Embedding: weight [num, dim]. */
export class Embedding extends Module {
  readonly weight: tf.Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly dim: number,
    opts: { init?: (shape: number[]) => tf.Tensor } = {},
  ) {
    super();
    const init = opts.init ?? ((s: number[]) => tf.randomNormal(s, 0, 1));
    this.weight = this.addParam('weight', init([numEmbeddings, dim]));
  }

  /** ids (int32, any shape) -> [...ids.shape, dim]. */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.reshape(tf.gather(this.weight, tf.reshape(ids, [-1])), [...ids.shape, this.dim]);
  }
}

/** torch.nn.LayerNorm over the last axis, with weight and bias. */
export class LayerNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.addParam('weight', tf.ones([dim]));
    this.bias = this.addParam('bias', tf.zeros([dim]));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const mean = tf.mean(x, -1, true);
      const centered = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centered), -1, true);
      return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, this.eps))), this.weight), this.bias);
    });
  }
}

/** The tanh approximation of GELU used by GPT-2 and T5 v1.1 (`gelu_new`). */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
}

/** The exact (erf) GELU, as BERT's `gelu`. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}
