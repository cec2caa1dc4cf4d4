// BERT's encoder (Devlin et al. 2019) as Hugging Face's modeling_bert.BertModel computes last_hidden_state, as
// @kard/nn Modules whose attribute paths are the checkpoint's names (embeddings.word_embeddings.weight,
// encoder.layer.0.attention.self.query.weight, …), so loading a checkpoint is a name lookup.
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, Linear, Module, gelu } from '@kard/nn';
import type { BertConfig } from './config';
import { BertLayerNorm, dropout } from './layers';
import type { LoraAdapters } from './lora';

export interface ForwardOptions {
  /** Dropout on (training) or off (inference, the default). */
  training?: boolean;
  /** Source of dropout seeds, so a seeded run draws the same masks. */
  nextSeed?: () => number;
}

/** Initial values for the weights that are not LayerNorm or bias (those start at 1 and 0). */
export interface BertInit {
  /** Word embeddings and every dense weight. */
  matrix: (shape: number[]) => tf.Tensor;
  /** Position and token-type embeddings. */
  positional: (shape: number[]) => tf.Tensor;
}

/** What a forward pass threads through the layers. */
interface Pass {
  drop: (x: tf.Tensor, rate: number) => tf.Tensor;
  /** The projection `name` of `x`, plus its LoRA term when adapters are attached. */
  proj: (name: string, layer: Linear, x: tf.Tensor) => tf.Tensor;
}

class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: BertLayerNorm;

  constructor(
    private readonly c: BertConfig,
    init: BertInit,
  ) {
    super();
    const H = c.hidden_size;
    this.word_embeddings = this.addModule('word_embeddings', new Embedding(c.vocab_size, H, { init: init.matrix }));
    this.position_embeddings = this.addModule(
      'position_embeddings',
      new Embedding(c.max_position_embeddings, H, { init: init.positional }),
    );
    this.token_type_embeddings = this.addModule(
      'token_type_embeddings',
      new Embedding(c.type_vocab_size, H, { init: init.positional }),
    );
    this.LayerNorm = this.addModule('LayerNorm', new BertLayerNorm(H, c.layer_norm_eps));
  }

  /** Word + position + token type 0 (KARD never uses segment B), normalised; [B, L, H]. */
  forward(inputIds: tf.Tensor2D, pass: Pass): tf.Tensor {
    const L = inputIds.shape[1];
    const H = this.c.hidden_size;
    const words = tf.gather(this.word_embeddings.weight, tf.cast(inputIds, 'int32'));
    const pos = tf.slice(this.position_embeddings.weight, [0, 0], [L, H]);
    const type = tf.slice(this.token_type_embeddings.weight, [0, 0], [1, H]);
    const h = this.LayerNorm.forward(tf.add(tf.add(words, pos), type));
    return pass.drop(h, this.c.hidden_dropout_prob);
  }
}

class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;

  constructor(H: number, init: BertInit) {
    super();
    this.query = this.addModule('query', new Linear(H, H, { init: init.matrix }));
    this.key = this.addModule('key', new Linear(H, H, { init: init.matrix }));
    this.value = this.addModule('value', new Linear(H, H, { init: init.matrix }));
  }
}

/** A dense layer, dropout, then LayerNorm of the residual sum: BertSelfOutput and BertOutput alike. */
class BertDenseResidual extends Module {
  readonly dense: Linear;
  readonly LayerNorm: BertLayerNorm;

  constructor(inDim: number, H: number, eps: number, init: BertInit) {
    super();
    this.dense = this.addModule('dense', new Linear(inDim, H, { init: init.matrix }));
    this.LayerNorm = this.addModule('LayerNorm', new BertLayerNorm(H, eps));
  }

  forward(x: tf.Tensor, residual: tf.Tensor, rate: number, pass: Pass): tf.Tensor {
    return this.LayerNorm.forward(tf.add(pass.drop(this.dense.forward(x), rate), residual));
  }
}

class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertDenseResidual;

  constructor(c: BertConfig, init: BertInit) {
    super();
    this.self = this.addModule('self', new BertSelfAttention(c.hidden_size, init));
    this.output = this.addModule('output', new BertDenseResidual(c.hidden_size, c.hidden_size, c.layer_norm_eps, init));
  }
}

class BertIntermediate extends Module {
  readonly dense: Linear;

  constructor(c: BertConfig, init: BertInit) {
    super();
    this.dense = this.addModule('dense', new Linear(c.hidden_size, c.intermediate_size, { init: init.matrix }));
  }
}

class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertDenseResidual;

  constructor(
    private readonly c: BertConfig,
    private readonly name: string,
    init: BertInit,
  ) {
    super();
    this.attention = this.addModule('attention', new BertAttention(c, init));
    this.intermediate = this.addModule('intermediate', new BertIntermediate(c, init));
    this.output = this.addModule(
      'output',
      new BertDenseResidual(c.intermediate_size, c.hidden_size, c.layer_norm_eps, init),
    );
  }

  /** h [B, L, H] -> [B, L, H]; `maskBias` [B, 1, 1, L] is 0 where attended, a large negative at padding. */
  forward(h: tf.Tensor, maskBias: tf.Tensor, pass: Pass): tf.Tensor {
    const [B, L, H] = h.shape;
    const nh = this.c.num_attention_heads;
    const hd = H / nh;
    const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, L, nh, hd]), [0, 2, 1, 3]);
    const sa = this.attention.self;
    const p = `${this.name}.attention.self`;
    const q = heads(pass.proj(`${p}.query`, sa.query, h));
    const k = heads(pass.proj(`${p}.key`, sa.key, h));
    const v = heads(pass.proj(`${p}.value`, sa.value, h));
    const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(hd)), maskBias);
    const probs = pass.drop(tf.softmax(scores, -1), this.c.attention_probs_dropout_prob);
    const ctx = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B, L, H]);
    const attended = this.attention.output.forward(ctx, h, this.c.hidden_dropout_prob, pass);
    const inter = gelu(this.intermediate.dense.forward(attended));
    return this.output.forward(inter, attended, this.c.hidden_dropout_prob, pass);
  }
}

class BertLayers extends Module {
  readonly layer: BertLayer[];

  constructor(c: BertConfig, init: BertInit) {
    super();
    this.layer = Array.from({ length: c.num_hidden_layers }, (_, i) =>
      this.addModule(`layer.${i}`, new BertLayer(c, `encoder.layer.${i}`, init)),
    );
  }
}

const ZEROS: BertInit = { matrix: (s) => tf.zeros(s), positional: (s) => tf.zeros(s) };

/** Names and shapes of every parameter a `BertModel` (without pooler) has, in checkpoint order. */
export function bertParameterShapes(c: BertConfig): Array<[string, number[]]> {
  const enc = new BertEncoder(c, ZEROS);
  const shapes = [...enc.namedParameters()].map(([n, v]): [string, number[]] => [n, v.shape]);
  enc.dispose();
  return shapes;
}

export class BertEncoder extends Module {
  /** Attach adapters here to train LoRA on a frozen base (they stay outside this module's own parameters). */
  lora: LoraAdapters | null = null;
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertLayers;

  /** An encoder with weights from `init` (LayerNorm at 1, biases at 0), drawn in checkpoint order. */
  constructor(
    readonly config: BertConfig,
    init: BertInit,
  ) {
    super();
    this.embeddings = this.addModule('embeddings', new BertEmbeddings(config, init));
    this.encoder = this.addModule('encoder', new BertLayers(config, init));
  }

  /**
   * A randomly initialised encoder as HF's `_init_weights` does it (normal(0, initializer_range) for matrices and
   * embeddings, zero biases, unit LayerNorm). `positionScale` shrinks the position and token-type embeddings: a
   * from-scratch encoder then starts close to "token identity", so late interaction begins as term matching.
   */
  static random(config: BertConfig, opts: { seed: number; trainable?: boolean; positionScale?: number }): BertEncoder {
    const std = config.initializer_range;
    // One seed per drawn weight, in checkpoint order: the draws rerankers have always been initialised with.
    let seed = opts.seed;
    const enc = new BertEncoder(config, {
      matrix: (shape) => tf.randomNormal(shape, 0, std, 'float32', seed++),
      positional: (shape) => tf.randomNormal(shape, 0, std * (opts.positionScale ?? 1), 'float32', seed++),
    });
    enc.setTrainable(opts.trainable ?? true);
    return enc;
  }

  /** An encoder of zeros, to be filled from a checkpoint. */
  static zeros(config: BertConfig): BertEncoder {
    return new BertEncoder(config, ZEROS);
  }

  /** Whether the base weights train (LoRA adapters are not affected). */
  setTrainable(trainable: boolean): void {
    for (const v of this.namedParameters().values()) v.trainable = trainable;
  }

  /** The base weights by Hugging Face name (a fresh map: removing from it changes nothing). */
  get params(): Map<string, tf.Variable> {
    return this.namedParameters();
  }

  /**
   * last_hidden_state [batch, length, hidden] for int32 `inputIds` and 0/1 `attentionMask` of shape [batch, length].
   */
  forward(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    const training = opts.training ?? false;
    const [B, L] = inputIds.shape;
    if (L > c.max_position_embeddings) {
      throw new RangeError(`sequence length ${L} exceeds max_position_embeddings ${c.max_position_embeddings}`);
    }
    const pass: Pass = {
      drop: (x, rate) => dropout(x, rate, training, opts.nextSeed?.()),
      proj: (name, layer, x) => {
        const y = layer.forward(x);
        // A seed is drawn for every projection once adapters are attached, adapted or not (as always).
        const d = this.lora?.delta(name, x, training, opts.nextSeed?.());
        return d ? tf.add(y, d) : y;
      },
    };
    let h = this.embeddings.forward(inputIds, pass);
    // Additive mask [B, 1, 1, L]: 0 where attended, a large negative where padding.
    const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), -1e9), [B, 1, 1, L]);
    for (const layer of this.encoder.layer) h = layer.forward(h, maskBias, pass);
    return h as tf.Tensor3D;
  }

  /** Variables that train: all base weights when trainable, else only the LoRA adapters. */
  trainableVariables(): tf.Variable[] {
    const base = [...this.namedParameters().values()].filter((v) => v.trainable);
    return [...base, ...(this.lora?.variables() ?? [])];
  }

  namedTensors(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.namedParameters());
  }

  dispose(): void {
    super.dispose();
    this.lora?.dispose();
  }
}
