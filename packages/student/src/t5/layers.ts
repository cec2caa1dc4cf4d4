// T5's building blocks, mirroring modeling_t5.py: module and parameter names equal Hugging Face's.
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, Linear, Module, dropout, rmsNorm } from '@kard/nn';
import { Rng } from '@kard/core';
import { activation, mergeHeads, normalInit, splitHeads } from '../activations';
import type { T5Config } from '../config';

/**
 * T5's relative position bucket (modeling_t5.py `_relative_position_bucket`). Torch evaluates the log branch
 * in float32 and truncates, so this rounds each step to float32 to land in the same bucket at the edges.
 */
export function relativePositionBucket(
  relativePosition: number,
  bidirectional: boolean,
  numBuckets = 32,
  maxDistance = 128,
): number {
  let bucket = 0;
  let n = numBuckets;
  let rel = relativePosition;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (rel > 0) bucket += n;
    rel = Math.abs(rel);
  } else {
    rel = -Math.min(rel, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (rel < maxExact) return bucket + rel;
  const f = Math.fround;
  const logRatio = f(Math.log(f(rel / maxExact)));
  const scaled = f(f(logRatio / f(Math.log(maxDistance / maxExact))) * (n - maxExact));
  return bucket + Math.min(maxExact + Math.trunc(scaled), n - 1);
}

/** T5LayerNorm: RMS norm without mean subtraction or bias. */
export class T5LayerNorm extends Module {
  readonly weight: tf.Variable;
  constructor(
    dim: number,
    readonly eps: number,
    init = 1,
  ) {
    super();
    this.weight = this.addParam('weight', tf.fill([dim], init));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return rmsNorm(x, this.weight, this.eps); // one fused kernel on native-cpu, the same ops as HF elsewhere
  }
}

export interface KeyValue {
  k: tf.Tensor;
  v: tf.Tensor;
}

export class T5Attention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  readonly relativeAttentionBias?: Embedding;
  private readonly heads: number;

  constructor(
    private readonly cfg: T5Config,
    hasRelativeBias: boolean,
    private readonly isDecoder: boolean,
    rng: Rng,
  ) {
    super();
    const f = cfg.initializerFactor;
    const inner = cfg.numHeads * cfg.dKv;
    this.heads = cfg.numHeads;
    this.q = this.addModule(
      'q',
      new Linear(cfg.dModel, inner, { bias: false, init: normalInit(rng, f * (cfg.dModel * cfg.dKv) ** -0.5) }),
    );
    this.k = this.addModule(
      'k',
      new Linear(cfg.dModel, inner, { bias: false, init: normalInit(rng, f * cfg.dModel ** -0.5) }),
    );
    this.v = this.addModule(
      'v',
      new Linear(cfg.dModel, inner, { bias: false, init: normalInit(rng, f * cfg.dModel ** -0.5) }),
    );
    this.o = this.addModule(
      'o',
      new Linear(inner, cfg.dModel, { bias: false, init: normalInit(rng, f * inner ** -0.5) }),
    );
    if (hasRelativeBias) {
      this.relativeAttentionBias = this.addModule(
        'relative_attention_bias',
        new Embedding(cfg.relativeAttentionNumBuckets, cfg.numHeads, { init: normalInit(rng, f * cfg.dModel ** -0.5) }),
      );
    }
  }

  /** Position bias [1, H, qLen, kLen] for queries at positions queryOffset.. and keys at 0..kLen-1. */
  computeBias(qLen: number, kLen: number, queryOffset = 0): tf.Tensor {
    if (!this.relativeAttentionBias) throw new Error('computeBias on a layer without relative_attention_bias');
    const buckets = new Int32Array(qLen * kLen);
    for (let i = 0; i < qLen; i++) {
      for (let j = 0; j < kLen; j++) {
        buckets[i * kLen + j] = relativePositionBucket(
          j - (i + queryOffset),
          !this.isDecoder,
          this.cfg.relativeAttentionNumBuckets,
          this.cfg.relativeAttentionMaxDistance,
        );
      }
    }
    return tf.tidy(() => {
      const values = tf.gather(this.relativeAttentionBias!.weight, tf.tensor1d(buckets, 'int32')); // [q*k, H]
      return tf.reshape(tf.transpose(tf.reshape(values, [qLen, kLen, this.heads]), [2, 0, 1]), [
        1,
        this.heads,
        qLen,
        kLen,
      ]);
    });
  }

  /** Keys and values [B, H, S, dk] of `states` [B, S, D] (cross-attention computes these once). */
  project(states: tf.Tensor): KeyValue {
    return { k: splitHeads(this.k.forward(states), this.heads), v: splitHeads(this.v.forward(states), this.heads) };
  }

  /**
   * hidden [B, T, D]; keys/values from `kv` (cross-attention) or from hidden itself, appended to `past` when
   * given (cached decoding). `bias` is position bias plus additive mask, broadcastable to [B, H, T, S].
   * T5 does not scale scores by 1/sqrt(dk): that is folded into the q initialisation.
   */
  forward(
    hidden: tf.Tensor,
    bias: tf.Tensor,
    opts: { kv?: KeyValue; past?: KeyValue; rng?: Rng } = {},
  ): { out: tf.Tensor; present: KeyValue } {
    const q = splitHeads(this.q.forward(hidden), this.heads);
    let present = opts.kv ?? this.project(hidden);
    if (opts.past) present = { k: tf.concat([opts.past.k, present.k], 2), v: tf.concat([opts.past.v, present.v], 2) };
    const scores = tf.add(tf.matMul(q, present.k, false, true), bias);
    const weights = dropout(tf.softmax(scores, -1), this.cfg.dropoutRate, opts.rng);
    const out = this.o.forward(mergeHeads(tf.matMul(weights, present.v)));
    return { out, present };
  }
}

export class T5DenseActDense extends Module {
  readonly wi?: Linear;
  readonly wi0?: Linear;
  readonly wi1?: Linear;
  readonly wo: Linear;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  private readonly gated: boolean;

  constructor(
    private readonly cfg: T5Config,
    rng: Rng,
  ) {
    super();
    const parts = cfg.feedForwardProj.split('-');
    this.gated = parts[0] === 'gated';
    if (parts.length > (this.gated ? 2 : 1) || (!this.gated && parts.length !== 1)) {
      throw new Error(`feed_forward_proj "${cfg.feedForwardProj}" is not of the form [gated-]ACT`);
    }
    const actName = cfg.feedForwardProj === 'gated-gelu' ? 'gelu_new' : parts[parts.length - 1];
    this.act = activation(actName);
    const f = cfg.initializerFactor;
    const inInit = normalInit(rng, f * cfg.dModel ** -0.5);
    if (this.gated) {
      this.wi0 = this.addModule('wi_0', new Linear(cfg.dModel, cfg.dFf, { bias: false, init: inInit }));
      this.wi1 = this.addModule('wi_1', new Linear(cfg.dModel, cfg.dFf, { bias: false, init: inInit }));
    } else {
      this.wi = this.addModule('wi', new Linear(cfg.dModel, cfg.dFf, { bias: false, init: inInit }));
    }
    this.wo = this.addModule(
      'wo',
      new Linear(cfg.dFf, cfg.dModel, { bias: false, init: normalInit(rng, f * cfg.dFf ** -0.5) }),
    );
  }

  forward(x: tf.Tensor, rng?: Rng): tf.Tensor {
    const h = this.gated ? tf.mul(this.act(this.wi0!.forward(x)), this.wi1!.forward(x)) : this.act(this.wi!.forward(x));
    return this.wo.forward(dropout(h, this.cfg.dropoutRate, rng));
  }
}

/** One sub-layer: pre-norm, the inner module, dropout, residual. */
export class T5LayerSelfAttention extends Module {
  readonly SelfAttention: T5Attention;
  readonly layerNorm: T5LayerNorm;
  constructor(cfg: T5Config, hasRelativeBias: boolean, isDecoder: boolean, rng: Rng) {
    super();
    this.SelfAttention = this.addModule('SelfAttention', new T5Attention(cfg, hasRelativeBias, isDecoder, rng));
    this.layerNorm = this.addModule(
      'layer_norm',
      new T5LayerNorm(cfg.dModel, cfg.layerNormEpsilon, cfg.initializerFactor),
    );
  }
}

export class T5LayerCrossAttention extends Module {
  readonly EncDecAttention: T5Attention;
  readonly layerNorm: T5LayerNorm;
  constructor(cfg: T5Config, rng: Rng) {
    super();
    this.EncDecAttention = this.addModule('EncDecAttention', new T5Attention(cfg, false, true, rng));
    this.layerNorm = this.addModule(
      'layer_norm',
      new T5LayerNorm(cfg.dModel, cfg.layerNormEpsilon, cfg.initializerFactor),
    );
  }
}

export class T5LayerFF extends Module {
  readonly DenseReluDense: T5DenseActDense;
  readonly layerNorm: T5LayerNorm;
  constructor(cfg: T5Config, rng: Rng) {
    super();
    this.DenseReluDense = this.addModule('DenseReluDense', new T5DenseActDense(cfg, rng));
    this.layerNorm = this.addModule(
      'layer_norm',
      new T5LayerNorm(cfg.dModel, cfg.layerNormEpsilon, cfg.initializerFactor),
    );
  }
  forward(x: tf.Tensor, rng?: Rng, rate = 0): tf.Tensor {
    return tf.add(x, dropout(this.DenseReluDense.forward(this.layerNorm.forward(x), rng), rate, rng));
  }
}
