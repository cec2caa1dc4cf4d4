// T5ForConditionalGeneration (v1.0 and v1.1 / Flan-T5), mirroring modeling_t5.py.
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, Linear, Module, crossEntropy, dropout } from '@kard/nn';
import { Rng } from '@kard/core';
import { additiveMask, causalMask, normalInit } from '../activations';
import type { T5Config } from '../config';
import { takeValues, type Decoding, type LmBatch } from '../model';
import { T5LayerCrossAttention, T5LayerFF, T5LayerNorm, T5LayerSelfAttention, type KeyValue } from './layers';

class T5Block extends Module {
  readonly self: T5LayerSelfAttention;
  readonly cross?: T5LayerCrossAttention;
  readonly ff: T5LayerFF;
  constructor(
    private readonly cfg: T5Config,
    hasRelativeBias: boolean,
    readonly isDecoder: boolean,
    rng: Rng,
  ) {
    super();
    this.self = this.addModule('layer.0', new T5LayerSelfAttention(cfg, hasRelativeBias, isDecoder, rng));
    if (isDecoder) this.cross = this.addModule('layer.1', new T5LayerCrossAttention(cfg, rng));
    this.ff = this.addModule(isDecoder ? 'layer.2' : 'layer.1', new T5LayerFF(cfg, rng));
  }

  forward(
    h: tf.Tensor,
    selfBias: tf.Tensor,
    opts: { cross?: KeyValue; crossBias?: tf.Tensor; past?: KeyValue; rng?: Rng },
  ) {
    const rate = this.cfg.dropoutRate;
    const sa = this.self.SelfAttention.forward(this.self.layerNorm.forward(h), selfBias, {
      past: opts.past,
      rng: opts.rng,
    });
    h = tf.add(h, dropout(sa.out, rate, opts.rng));
    if (this.cross) {
      const ca = this.cross.EncDecAttention.forward(this.cross.layerNorm.forward(h), opts.crossBias!, {
        kv: opts.cross,
        rng: opts.rng,
      });
      h = tf.add(h, dropout(ca.out, rate, opts.rng));
    }
    return { h: this.ff.forward(h, opts.rng, rate), present: sa.present };
  }
}

export class T5Stack extends Module {
  readonly blocks: T5Block[];
  readonly finalLayerNorm: T5LayerNorm;
  constructor(
    private readonly cfg: T5Config,
    readonly isDecoder: boolean,
    rng: Rng,
  ) {
    super();
    const n = isDecoder ? cfg.numDecoderLayers : cfg.numLayers;
    // Only the first block owns a relative_attention_bias; the others reuse its position bias.
    this.blocks = Array.from({ length: n }, (_, i) =>
      this.addModule(`block.${i}`, new T5Block(cfg, i === 0, isDecoder, rng)),
    );
    this.finalLayerNorm = this.addModule(
      'final_layer_norm',
      new T5LayerNorm(cfg.dModel, cfg.layerNormEpsilon, cfg.initializerFactor),
    );
  }

  /** Full-sequence pass (encoder, or teacher-forced decoder). */
  forward(
    embeds: tf.Tensor,
    mask: tf.Tensor | undefined,
    opts: { crossKv?: KeyValue[]; crossBias?: tf.Tensor; rng?: Rng } = {},
  ) {
    const t = embeds.shape[1]!;
    const rate = this.cfg.dropoutRate;
    let bias = this.blocks[0].self.SelfAttention.computeBias(t, t);
    if (this.isDecoder) bias = tf.add(bias, causalMask(t));
    if (mask) bias = tf.add(bias, additiveMask(mask));
    let h = dropout(embeds, rate, opts.rng);
    this.blocks.forEach((b, i) => {
      h = b.forward(h, bias, { cross: opts.crossKv?.[i], crossBias: opts.crossBias, rng: opts.rng }).h;
    });
    return dropout(this.finalLayerNorm.forward(h), rate, opts.rng);
  }
}

export class T5ForConditionalGeneration extends Module {
  readonly shared: Embedding;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  readonly lmHead?: Linear;

  constructor(
    readonly config: T5Config,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    const f = config.initializerFactor;
    this.shared = this.addModule(
      'shared',
      new Embedding(config.vocabSize, config.dModel, { init: normalInit(rng, f) }),
    );
    this.encoder = this.addModule('encoder', new T5Stack(config, false, rng));
    this.decoder = this.addModule('decoder', new T5Stack(config, true, rng));
    if (!config.tieWordEmbeddings) {
      this.lmHead = this.addModule(
        'lm_head',
        new Linear(config.dModel, config.vocabSize, { bias: false, init: normalInit(rng, f) }),
      );
    }
  }

  encode(inputIds: tf.Tensor, attentionMask: tf.Tensor, rng?: Rng): tf.Tensor {
    return this.encoder.forward(this.shared.forward(inputIds), attentionMask, { rng });
  }

  /**
   * hidden [B, T, D] -> logits [B, T, V]; v1.0 (tied) rescales by d_model**-0.5 first, as HF does
   * (`scaleDecoderOutputs`).
   */
  logits(hidden: tf.Tensor): tf.Tensor {
    const [b, t, d] = hidden.shape;
    let h = tf.reshape(hidden, [b * t, d]);
    if (this.config.scaleDecoderOutputs) h = tf.mul(h, this.config.dModel ** -0.5);
    const w = this.lmHead ? this.lmHead.weight : this.shared.weight;
    return tf.reshape(tf.matMul(h, w, false, true), [b, t, this.config.vocabSize]);
  }

  /** Labels shifted right behind decoder_start_token_id, -100 replaced by pad (HF `_shift_right`). */
  shiftRight(labels: number[][]): number[][] {
    const { decoderStartTokenId: start, padTokenId: pad } = this.config;
    return labels.map((row) => [start, ...row.slice(0, -1)].map((x) => (x === -100 ? pad : x)));
  }

  /** Teacher-forced logits [B, T, V] for a batch whose labels are the targets. */
  forward(batch: LmBatch, rng?: Rng): tf.Tensor {
    const enc = this.encode(batch.inputIds, batch.attentionMask, rng);
    const labels = batch.labels.arraySync() as number[][];
    const decIn = tf.tensor2d(this.shiftRight(labels), undefined, 'int32');
    const crossKv = this.decoder.blocks.map((b) => b.cross!.EncDecAttention.project(enc));
    const dec = this.decoder.forward(this.shared.forward(decIn), undefined, {
      crossKv,
      crossBias: additiveMask(batch.attentionMask),
      rng,
    });
    return this.logits(dec);
  }

  /** HF's loss: mean cross-entropy over labels != -100. */
  loss(batch: LmBatch, rng?: Rng): tf.Scalar {
    return tf.tidy(() => crossEntropy(this.forward(batch, rng), batch.labels) as tf.Scalar);
  }

  /** Per-token NLL [B, T] (0 where the label is -100), teacher-forced. */
  tokenLosses(batch: LmBatch): tf.Tensor {
    return tf.tidy(() => crossEntropy(this.forward(batch), batch.labels, { reduction: 'none' }));
  }

  /** Starts decoding `rows` = inputs, each repeated `expand` times (beams); encoder runs once. */
  startDecoding(
    inputIds: tf.Tensor,
    attentionMask: tf.Tensor,
    opts: { expand?: number; useCache?: boolean } = {},
  ): Decoding {
    return new T5Decoding(this, inputIds, attentionMask, opts.expand ?? 1, opts.useCache ?? true);
  }
}

/** Step-by-step decoding, with the decoder's self-attention keys/values cached (or recomputed each step). */
class T5Decoding implements Decoding {
  private encMask: tf.Tensor;
  private cross: KeyValue[];
  private selfCache: KeyValue[] | undefined;
  private history: number[][];
  readonly rows: number;

  constructor(
    private readonly model: T5ForConditionalGeneration,
    inputIds: tf.Tensor,
    mask: tf.Tensor,
    expand: number,
    private readonly useCache: boolean,
  ) {
    const b = inputIds.shape[0];
    const idx = tf.tensor1d(
      Array.from({ length: b * expand }, (_, i) => Math.floor(i / expand)),
      'int32',
    );
    const enc = tf.tidy(() => model.encode(inputIds, mask));
    const encRows = tf.gather(enc, idx);
    this.encMask = tf.tidy(() => additiveMask(tf.gather(mask, idx)));
    this.cross = model.decoder.blocks.map(
      (bl) =>
        tf.tidy(
          () => bl.cross!.EncDecAttention.project(encRows) as unknown as tf.NamedTensorMap,
        ) as unknown as KeyValue,
    );
    encRows.dispose();
    enc.dispose();
    idx.dispose();
    this.rows = b * expand;
    this.history = Array.from({ length: this.rows }, () => [model.config.decoderStartTokenId]);
  }

  next(tokens: number[] | null): Float32Array {
    if (tokens) this.history.forEach((h, i) => h.push(tokens[i]));
    const m = this.model;
    const dec = m.decoder;
    const logits = tf.tidy(() => {
      let hidden: tf.Tensor;
      if (this.useCache) {
        const pos = this.history[0].length - 1;
        const ids = tf.tensor2d(
          this.history.map((h) => [h[pos]]),
          [this.rows, 1],
          'int32',
        );
        const bias = dec.blocks[0].self.SelfAttention.computeBias(1, pos + 1, pos);
        let h = m.shared.forward(ids);
        const presents: KeyValue[] = [];
        dec.blocks.forEach((b, i) => {
          const r = b.forward(h, bias, { cross: this.cross[i], crossBias: this.encMask, past: this.selfCache?.[i] });
          h = r.h;
          presents.push(r.present);
        });
        this.selfCache?.forEach((kv) => {
          tf.dispose([kv.k, kv.v]);
        });
        this.selfCache = presents.map((kv) => ({ k: tf.keep(kv.k), v: tf.keep(kv.v) }));
        hidden = dec.finalLayerNorm.forward(h);
      } else {
        const ids = tf.tensor2d(this.history, undefined, 'int32');
        const full = dec.forward(m.shared.forward(ids), undefined, { crossKv: this.cross, crossBias: this.encMask });
        const t = full.shape[1]!;
        hidden = tf.slice(full, [0, t - 1, 0], [-1, 1, -1]);
      }
      return m.logits(hidden);
    });
    return takeValues(logits);
  }

  select(rows: number[]): void {
    const idx = tf.tensor1d(rows, 'int32');
    const pick = (t: tf.Tensor) => {
      const r = tf.gather(t, idx);
      t.dispose();
      return r;
    };
    this.encMask = pick(this.encMask);
    this.cross = this.cross.map((kv) => ({ k: pick(kv.k), v: pick(kv.v) }));
    this.selfCache = this.selfCache?.map((kv) => ({ k: pick(kv.k), v: pick(kv.v) }));
    this.history = rows.map((r) => [...this.history[r]]);
    (this as { rows: number }).rows = rows.length;
    idx.dispose();
  }

  dispose(): void {
    tf.dispose([
      this.encMask,
      ...this.cross.flatMap((kv) => [kv.k, kv.v]),
      ...(this.selfCache ?? []).flatMap((kv) => [kv.k, kv.v]),
    ]);
  }
}
