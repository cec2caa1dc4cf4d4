// KARD's reranker network: a BERT encoder, a linear "compressor" of token vectors, and ColBERT late interaction.
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardOptions } from '../bert/model';
import { BertEncoder } from '../bert/model';
import { linear } from '../bert/layers';
import type { TokenBatch } from '../tokenizer';
import { lateInteraction } from './late-interaction';

export interface ColbertOptions {
  /** Width of the compressed token vectors. Default 128. */
  compressionDim: number;
  /** Query truncation in tokens, [CLS] and [SEP] included. KARD: 512. */
  queryMaxLength: number;
  /** Passage truncation in tokens. KARD: 512. */
  passageMaxLength: number;
  /**
   * Hybrid scoring (ours, not KARD's): add the question's own BM25 score of the passage and a passage-length prior
   * to the late-interaction score, with learned weights (see {@link ColbertModel.combine}). Both are known at
   * inference (the first stage's BM25 score and the passage text). Default false: pure late interaction.
   */
  hybrid: boolean;
}

export const DEFAULT_COLBERT: ColbertOptions = {
  compressionDim: 128,
  queryMaxLength: 512,
  passageMaxLength: 512,
  hybrid: false,
};

/**
 * Hybrid weights are stored divided by HYBRID_SCALE: KARD's model temperature is 100 (τ_model₀ / τ₀), so a stored
 * weight w gives 10·w logits per unit of feature, and AdamW's per-step change (≈ lr) then moves the ranking at a
 * useful pace instead of a hundredth of it.
 */
export const HYBRID_SCALE = 1000;
/**
 * Initial stored weights [late interaction, BM25(question), log(1 + passage tokens)]: the model starts as
 * BM25-by-question at 0.2 logits per BM25 point (the scale a fitted linear model chooses on StrategyQA), with a
 * small late-interaction term so that its encoder receives gradient from the first step.
 */
export const HYBRID_INIT = [1e-4, 0.02, 0];

/**
 * The hybrid head: `weight` = stored weights of [late interaction, BM25(question), log(1 + passage tokens)], and
 * `prior` [D], a learned passage prior read from the mean of the passage's token vectors (0 at the start).
 */
export interface HybridHead {
  weight: tf.Variable;
  prior: tf.Variable;
}

/** A hybrid head as training starts it: BM25-by-question ({@link HYBRID_INIT}) and no passage prior. */
export function freshHybridHead(compressionDim: number): HybridHead {
  return { weight: tf.variable(tf.tensor1d(HYBRID_INIT), true), prior: tf.variable(tf.zeros([compressionDim]), true) };
}

export class ColbertModel {
  constructor(
    readonly encoder: BertEncoder,
    /** nn.Linear(hidden, compressionDim): weight [D, H], bias [D]. */
    readonly compressor: { weight: tf.Variable; bias: tf.Variable },
    readonly options: ColbertOptions,
    /** Hybrid mode only. */
    readonly mix: HybridHead | null = null,
  ) {
    if (options.hybrid !== (mix !== null))
      throw new Error('a hybrid ColbertModel needs mix weights, and only a hybrid one');
  }

  /** Wraps an encoder with a fresh compressor initialised as PyTorch's nn.Linear: U(±1/√hidden). */
  static create(encoder: BertEncoder, options: Partial<ColbertOptions> = {}, seed = 0): ColbertModel {
    const opts = { ...DEFAULT_COLBERT, ...options };
    const H = encoder.config.hidden_size;
    const bound = 1 / Math.sqrt(H);
    const weight = tf.variable(tf.randomUniform([opts.compressionDim, H], -bound, bound, 'float32', seed), true);
    const bias = tf.variable(tf.randomUniform([opts.compressionDim], -bound, bound, 'float32', seed + 1), true);
    return new ColbertModel(encoder, { weight, bias }, opts, opts.hybrid ? freshHybridHead(opts.compressionDim) : null);
  }

  /**
   * The final score from the late-interaction scores: itself, or in hybrid mode
   * HYBRID_SCALE · (m₀ · LI + m₁ · BM25(question, d) + m₂ · log(1 + tokens(d)) + ⟨prior, mean token vector
   * of d⟩).
   *
   * @param li             [B, k] late-interaction scores
   * @param passageTokens  [B, k] real (unpadded) passage tokens
   * @param passageMean    [B, k, D] mean of each passage's real token vectors (hybrid mode only)
   * @param questionBm25   [B, k] the question's BM25 score of each candidate (hybrid mode only)
   */
  combine(
    li: tf.Tensor2D,
    passageTokens: tf.Tensor2D,
    passageMean?: tf.Tensor3D,
    questionBm25?: tf.Tensor2D,
  ): tf.Tensor2D {
    if (!this.mix) return li;
    if (!questionBm25) throw new RangeError("a hybrid reranker needs each candidate's BM25 score for the question");
    if (!passageMean) throw new RangeError('a hybrid reranker needs the mean token vector of each passage');
    return tf.tidy(() => {
      const [m0, m1, m2] = tf.unstack(this.mix!.weight);
      const [B, k, D] = passageMean.shape;
      const prior = tf.reshape(tf.matMul(tf.reshape(passageMean, [B * k, D]), tf.reshape(this.mix!.prior, [D, 1])), [
        B,
        k,
      ]);
      const s = tf.addN([tf.mul(li, m0), tf.mul(questionBm25, m1), tf.mul(tf.log1p(passageTokens), m2), prior]);
      return tf.mul(s, HYBRID_SCALE) as tf.Tensor2D;
    });
  }

  get hiddenSize(): number {
    return this.encoder.config.hidden_size;
  }

  /** Compressed token vectors [B, L, D] for a padded token batch. */
  embed(batch: TokenBatch, opts: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const ids = tf.tensor2d(batch.ids, [batch.batch, batch.length], 'int32');
      const mask = tf.tensor2d(batch.mask, [batch.batch, batch.length], 'int32');
      const h = this.encoder.forward(ids, mask, opts);
      return linear(h, this.compressor.weight, this.compressor.bias) as tf.Tensor3D;
    });
  }

  /**
   * Late-interaction scores [B, k] of B queries against their k candidates each; `passages` holds the B·k
   * candidates query by query (rows b·k … b·k+k−1 belong to query b). `questionBm25` ([B·k], same order) is
   * required in hybrid mode.
   */
  scoreGroups(
    queries: TokenBatch,
    passages: TokenBatch,
    k: number,
    opts: ForwardOptions = {},
    questionBm25?: ArrayLike<number>,
  ): tf.Tensor2D {
    const B = queries.batch;
    if (passages.batch !== B * k)
      throw new RangeError(`expected ${B * k} passages for ${B} queries × ${k}, got ${passages.batch}`);
    return tf.tidy(() => {
      const q = this.embed(queries, opts);
      const d = this.embed(passages, opts);
      const D = this.options.compressionDim;
      const dMask = tf.tensor3d(passages.mask, [B, k, passages.length], 'int32');
      const d4 = tf.reshape(d, [B, k, passages.length, D]) as tf.Tensor4D;
      const li = lateInteraction(q, tf.tensor2d(queries.mask, [B, queries.length], 'int32'), d4, dMask);
      if (!this.mix) return li;
      const m = tf.cast(dMask, 'float32');
      const tokens = tf.sum(m, 2) as tf.Tensor2D;
      const mean = tf.div(tf.sum(tf.mul(d4, tf.expandDims(m, 3)), 2), tf.expandDims(tokens, 2)) as tf.Tensor3D;
      return this.combine(
        li,
        tokens,
        mean,
        questionBm25 ? tf.tensor2d(Float32Array.from(questionBm25), [B, k]) : undefined,
      );
    });
  }

  /**
   * What trains, under the names the model saves: the compressor always, the LoRA adapters when attached,
   * and every base weight when the encoder is trainable (from-scratch mode).
   */
  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>([
      ['compressor.weight', this.compressor.weight],
      ['compressor.bias', this.compressor.bias],
    ]);
    if (this.mix) out.set('mix.weight', this.mix.weight).set('mix.prior', this.mix.prior);
    for (const [name, v] of this.encoder.params) if (v.trainable) out.set(`bert.${name}`, v);
    if (this.encoder.lora) {
      for (const [name, t] of Object.entries(this.encoder.lora.namedTensors()))
        out.set(`bert.${name}`, t as tf.Variable);
    }
    return out;
  }

  dispose(): void {
    this.encoder.dispose();
    this.compressor.weight.dispose();
    this.compressor.bias.dispose();
    this.mix?.weight.dispose();
    this.mix?.prior.dispose();
  }
}
