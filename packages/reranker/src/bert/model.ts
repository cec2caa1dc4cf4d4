// BERT's encoder (Devlin et al. 2019) as Hugging Face's modeling_bert.BertModel computes last_hidden_state.
// Parameters are kept under the checkpoint's own names, so loading a checkpoint is a name lookup.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from './config';
import { dropout, gelu, layerNorm, linear } from './layers';
import type { LoraAdapters } from './lora';

export interface ForwardOptions {
  /** Dropout on (training) or off (inference, the default). */
  training?: boolean;
  /** Source of dropout seeds, so a seeded run draws the same masks. */
  nextSeed?: () => number;
}

/** Names and shapes of every parameter a `BertModel` (without pooler) has, in checkpoint order. */
export function bertParameterShapes(c: BertConfig): Array<[string, number[]]> {
  const H = c.hidden_size;
  const out: Array<[string, number[]]> = [
    ['embeddings.word_embeddings.weight', [c.vocab_size, H]],
    ['embeddings.position_embeddings.weight', [c.max_position_embeddings, H]],
    ['embeddings.token_type_embeddings.weight', [c.type_vocab_size, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `encoder.layer.${i}`;
    for (const m of ['query', 'key', 'value']) {
      out.push([`${p}.attention.self.${m}.weight`, [H, H]], [`${p}.attention.self.${m}.bias`, [H]]);
    }
    out.push(
      [`${p}.attention.output.dense.weight`, [H, H]],
      [`${p}.attention.output.dense.bias`, [H]],
      [`${p}.attention.output.LayerNorm.weight`, [H]],
      [`${p}.attention.output.LayerNorm.bias`, [H]],
      [`${p}.intermediate.dense.weight`, [c.intermediate_size, H]],
      [`${p}.intermediate.dense.bias`, [c.intermediate_size]],
      [`${p}.output.dense.weight`, [H, c.intermediate_size]],
      [`${p}.output.dense.bias`, [H]],
      [`${p}.output.LayerNorm.weight`, [H]],
      [`${p}.output.LayerNorm.bias`, [H]],
    );
  }
  return out;
}

export class BertEncoder {
  /** Attach adapters here to train LoRA on a frozen base. */
  lora: LoraAdapters | null = null;

  constructor(
    readonly config: BertConfig,
    readonly params: Map<string, tf.Variable>,
  ) {}

  /**
   * A randomly initialised encoder as HF's `_init_weights` does it (normal(0, initializer_range) for matrices and
   * embeddings, zero biases, unit LayerNorm). `positionScale` shrinks the position and token-type embeddings: a
   * from-scratch encoder then starts close to "token identity", so late interaction begins as term matching.
   */
  static random(config: BertConfig, opts: { seed: number; trainable?: boolean; positionScale?: number }): BertEncoder {
    const std = config.initializer_range;
    const params = new Map<string, tf.Variable>();
    let seed = opts.seed;
    for (const [name, shape] of bertParameterShapes(config)) {
      let t: tf.Tensor;
      if (name.endsWith('LayerNorm.weight')) t = tf.ones(shape);
      else if (name.endsWith('.bias')) t = tf.zeros(shape);
      else {
        const scale = /position_embeddings|token_type_embeddings/.test(name) ? (opts.positionScale ?? 1) : 1;
        t = tf.randomNormal(shape, 0, std * scale, 'float32', seed++);
      }
      params.set(name, tf.variable(t, opts.trainable ?? true));
      t.dispose();
    }
    return new BertEncoder(config, params);
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`BERT parameter missing: ${name}`);
    return v;
  }

  private proj(name: string, x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    const y = linear(x, this.p(`${name}.weight`), this.p(`${name}.bias`));
    const d = this.lora?.delta(name, x, opts.training ?? false, opts.nextSeed?.());
    return d ? tf.add(y, d) : y;
  }

  /** last_hidden_state [batch, length, hidden] for int32 `inputIds` and 0/1 `attentionMask` of shape [batch, length]. */
  forward(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    const training = opts.training ?? false;
    const [B, L] = inputIds.shape;
    if (L > c.max_position_embeddings) {
      throw new RangeError(`sequence length ${L} exceeds max_position_embeddings ${c.max_position_embeddings}`);
    }
    const H = c.hidden_size;
    const nh = c.num_attention_heads;
    const hd = H / nh;
    const eps = c.layer_norm_eps;
    const drop = (x: tf.Tensor, rate: number) => dropout(x, rate, training, opts.nextSeed?.());

    const words = tf.gather(this.p('embeddings.word_embeddings.weight'), tf.cast(inputIds, 'int32'));
    const pos = tf.slice(this.p('embeddings.position_embeddings.weight'), [0, 0], [L, H]);
    const type = tf.slice(this.p('embeddings.token_type_embeddings.weight'), [0, 0], [1, H]);
    let h = tf.add(tf.add(words, pos), type);
    h = layerNorm(h, this.p('embeddings.LayerNorm.weight'), this.p('embeddings.LayerNorm.bias'), eps);
    h = drop(h, c.hidden_dropout_prob);

    // Additive mask [B, 1, 1, L]: 0 where attended, a large negative where padding.
    const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), -1e9), [B, 1, 1, L]);
    const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, L, nh, hd]), [0, 2, 1, 3]);

    for (let i = 0; i < c.num_hidden_layers; i++) {
      const p = `encoder.layer.${i}`;
      const q = heads(this.proj(`${p}.attention.self.query`, h, opts));
      const k = heads(this.proj(`${p}.attention.self.key`, h, opts));
      const v = heads(this.proj(`${p}.attention.self.value`, h, opts));
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd)), maskBias);
      const probs = drop(tf.softmax(scores, -1), c.attention_probs_dropout_prob);
      const ctx = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, L, H]);
      const attnOut = drop(linear(ctx, this.p(`${p}.attention.output.dense.weight`), this.p(`${p}.attention.output.dense.bias`)), c.hidden_dropout_prob);
      h = layerNorm(tf.add(attnOut, h), this.p(`${p}.attention.output.LayerNorm.weight`), this.p(`${p}.attention.output.LayerNorm.bias`), eps);
      const inter = gelu(linear(h, this.p(`${p}.intermediate.dense.weight`), this.p(`${p}.intermediate.dense.bias`)));
      const out = drop(linear(inter, this.p(`${p}.output.dense.weight`), this.p(`${p}.output.dense.bias`)), c.hidden_dropout_prob);
      h = layerNorm(tf.add(out, h), this.p(`${p}.output.LayerNorm.weight`), this.p(`${p}.output.LayerNorm.bias`), eps);
    }
    return h as tf.Tensor3D;
  }

  /** Variables that train: all base weights when trainable, else only the LoRA adapters. */
  trainableVariables(): tf.Variable[] {
    const base = [...this.params.values()].filter((v) => v.trainable);
    return [...base, ...(this.lora?.variables() ?? [])];
  }

  namedTensors(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.params);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.lora?.dispose();
  }
}
