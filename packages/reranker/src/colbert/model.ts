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
}

export const DEFAULT_COLBERT: ColbertOptions = { compressionDim: 128, queryMaxLength: 512, passageMaxLength: 512 };

export class ColbertModel {
  constructor(
    readonly encoder: BertEncoder,
    /** nn.Linear(hidden, compressionDim): weight [D, H], bias [D]. */
    readonly compressor: { weight: tf.Variable; bias: tf.Variable },
    readonly options: ColbertOptions,
  ) {}

  /** Wraps an encoder with a fresh compressor initialised as PyTorch's nn.Linear: U(±1/√hidden). */
  static create(encoder: BertEncoder, options: Partial<ColbertOptions> = {}, seed = 0): ColbertModel {
    const opts = { ...DEFAULT_COLBERT, ...options };
    const H = encoder.config.hidden_size;
    const bound = 1 / Math.sqrt(H);
    const weight = tf.variable(tf.randomUniform([opts.compressionDim, H], -bound, bound, 'float32', seed), true);
    const bias = tf.variable(tf.randomUniform([opts.compressionDim], -bound, bound, 'float32', seed + 1), true);
    return new ColbertModel(encoder, { weight, bias }, opts);
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
   * candidates query by query (rows b·k … b·k+k−1 belong to query b).
   */
  scoreGroups(queries: TokenBatch, passages: TokenBatch, k: number, opts: ForwardOptions = {}): tf.Tensor2D {
    const B = queries.batch;
    if (passages.batch !== B * k) throw new RangeError(`expected ${B * k} passages for ${B} queries × ${k}, got ${passages.batch}`);
    return tf.tidy(() => {
      const q = this.embed(queries, opts);
      const d = this.embed(passages, opts);
      const D = this.options.compressionDim;
      return lateInteraction(
        q,
        tf.tensor2d(queries.mask, [B, queries.length], 'int32'),
        tf.reshape(d, [B, k, passages.length, D]) as tf.Tensor4D,
        tf.tensor3d(passages.mask, [B, k, passages.length], 'int32'),
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
    for (const [name, v] of this.encoder.params) if (v.trainable) out.set(`bert.${name}`, v);
    if (this.encoder.lora) {
      for (const [name, t] of Object.entries(this.encoder.lora.namedTensors())) out.set(`bert.${name}`, t as tf.Variable);
    }
    return out;
  }

  dispose(): void {
    this.encoder.dispose();
    this.compressor.weight.dispose();
    this.compressor.bias.dispose();
  }
}
