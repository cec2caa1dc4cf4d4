// GPT2LMHeadModel, mirroring modeling_gpt2.py: Conv1D weights [in, out], learned positions, tied lm_head.
import * as tf from '@tensorflow/tfjs-core';
import { Conv1D, Embedding, IGNORE_INDEX, LayerNorm, Module, crossEntropy, dropout } from '@kard/nn';
import { Rng } from '@kard/core';
import { activation, additiveMask, causalMask, mergeHeads, normalInit, splitHeads } from '../activations';
import type { Gpt2Config } from '../config';
import { takeValues, type Decoding, type LmBatch } from '../model';

interface KeyValue {
  k: tf.Tensor;
  v: tf.Tensor;
}

class Gpt2Attention extends Module {
  readonly cAttn: Conv1D;
  readonly cProj: Conv1D;
  constructor(
    private readonly cfg: Gpt2Config,
    rng: Rng,
  ) {
    super();
    const d = cfg.nEmbd;
    this.cAttn = this.addModule('c_attn', new Conv1D(d, 3 * d, { init: normalInit(rng, cfg.initializerRange) }));
    this.cProj = this.addModule(
      'c_proj',
      new Conv1D(d, d, { init: normalInit(rng, cfg.initializerRange / Math.sqrt(2 * cfg.nLayer)) }),
    );
  }

  forward(x: tf.Tensor, bias: tf.Tensor, past: KeyValue | undefined, rng?: Rng): { out: tf.Tensor; present: KeyValue } {
    const [q, k, v] = tf.split(this.cAttn.forward(x), 3, -1).map((t) => splitHeads(t, this.cfg.nHead));
    const present = past ? { k: tf.concat([past.k, k], 2), v: tf.concat([past.v, v], 2) } : { k, v };
    const dk = this.cfg.nEmbd / this.cfg.nHead;
    const scores = tf.add(tf.div(tf.matMul(q, present.k, false, true), Math.sqrt(dk)), bias);
    const w = dropout(tf.softmax(scores, -1), this.cfg.attnPdrop, rng);
    const out = dropout(this.cProj.forward(mergeHeads(tf.matMul(w, present.v))), this.cfg.residPdrop, rng);
    return { out, present };
  }
}

class Gpt2Mlp extends Module {
  readonly cFc: Conv1D;
  readonly cProj: Conv1D;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  constructor(
    private readonly cfg: Gpt2Config,
    rng: Rng,
  ) {
    super();
    this.cFc = this.addModule(
      'c_fc',
      new Conv1D(cfg.nEmbd, cfg.nInner, { init: normalInit(rng, cfg.initializerRange) }),
    );
    this.cProj = this.addModule(
      'c_proj',
      new Conv1D(cfg.nInner, cfg.nEmbd, { init: normalInit(rng, cfg.initializerRange / Math.sqrt(2 * cfg.nLayer)) }),
    );
    this.act = activation(cfg.activationFunction);
  }
  forward(x: tf.Tensor, rng?: Rng): tf.Tensor {
    return dropout(this.cProj.forward(this.act(this.cFc.forward(x))), this.cfg.residPdrop, rng);
  }
}

class Gpt2Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: Gpt2Attention;
  readonly ln2: LayerNorm;
  readonly mlp: Gpt2Mlp;
  constructor(cfg: Gpt2Config, rng: Rng) {
    super();
    this.ln1 = this.addModule('ln_1', new LayerNorm(cfg.nEmbd, cfg.layerNormEpsilon));
    this.attn = this.addModule('attn', new Gpt2Attention(cfg, rng));
    this.ln2 = this.addModule('ln_2', new LayerNorm(cfg.nEmbd, cfg.layerNormEpsilon));
    this.mlp = this.addModule('mlp', new Gpt2Mlp(cfg, rng));
  }
  forward(x: tf.Tensor, bias: tf.Tensor, past: KeyValue | undefined, rng?: Rng) {
    const a = this.attn.forward(this.ln1.forward(x), bias, past, rng);
    const h = tf.add(x, a.out);
    return { h: tf.add(h, this.mlp.forward(this.ln2.forward(h), rng)), present: a.present };
  }
}

export class Gpt2Model extends Module {
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly h: Gpt2Block[];
  readonly lnF: LayerNorm;
  constructor(
    readonly cfg: Gpt2Config,
    rng: Rng,
  ) {
    super();
    this.wte = this.addModule(
      'wte',
      new Embedding(cfg.vocabSize, cfg.nEmbd, { init: normalInit(rng, cfg.initializerRange) }),
    );
    this.wpe = this.addModule(
      'wpe',
      new Embedding(cfg.nPositions, cfg.nEmbd, { init: normalInit(rng, cfg.initializerRange) }),
    );
    this.h = Array.from({ length: cfg.nLayer }, (_, i) => this.addModule(`h.${i}`, new Gpt2Block(cfg, rng)));
    this.lnF = this.addModule('ln_f', new LayerNorm(cfg.nEmbd, cfg.layerNormEpsilon));
  }

  /** ids [B, T], positions [B, T]; bias broadcastable to [B, H, T, S]. Returns hidden states and new cache. */
  forward(ids: tf.Tensor, positions: tf.Tensor, bias: tf.Tensor, past?: KeyValue[], rng?: Rng) {
    let x = dropout(tf.add(this.wte.forward(ids), this.wpe.forward(positions)), this.cfg.embdPdrop, rng);
    const presents: KeyValue[] = [];
    this.h.forEach((b, i) => {
      const r = b.forward(x, bias, past?.[i], rng);
      x = r.h;
      presents.push(r.present);
    });
    return { hidden: this.lnF.forward(x), presents };
  }
}

export class Gpt2LMHeadModel extends Module {
  readonly transformer: Gpt2Model;
  constructor(
    readonly config: Gpt2Config,
    seed = 0,
  ) {
    super();
    this.transformer = this.addModule('transformer', new Gpt2Model(config, new Rng(seed)));
  }

  logits(hidden: tf.Tensor): tf.Tensor {
    const [b, t, d] = hidden.shape;
    return tf.reshape(tf.matMul(tf.reshape(hidden, [b * t, d]), this.transformer.wte.weight, false, true), [
      b,
      t,
      this.config.vocabSize,
    ]);
  }

  /** Final hidden states [B, T, d] of right-padded sequences (positions 0..T-1, as HF without position_ids). */
  private hiddenStates(batch: LmBatch, rng?: Rng): tf.Tensor {
    const [b, t] = batch.inputIds.shape;
    // past the learned positions the embedding look-up would read out of range, silently
    if (t > this.config.nPositions)
      throw new Error(`GPT-2: a ${t}-token sequence is longer than n_positions (${this.config.nPositions})`);
    const positions = tf.tile(tf.reshape(tf.range(0, t, 1, 'int32'), [1, t]), [b, 1]);
    const bias = tf.add(causalMask(t), additiveMask(batch.attentionMask));
    return this.transformer.forward(batch.inputIds, positions, bias, undefined, rng).hidden;
  }

  /** Logits [B, T, V] for right-padded sequences. */
  forward(batch: LmBatch, rng?: Rng): tf.Tensor {
    return this.logits(this.hiddenStates(batch, rng));
  }

  /**
   * The hidden states of the positions that predict a counted label (labels[:, 1:] != -100), flattened [N, d], with
   * those labels [N] and their flat indices into [B, T-1]. Only these go through the vocabulary projection: a
   * prompt-masked batch counts a fraction of its positions (a 128-token prompt, a 48-token rationale), and the
   * [B*T, V] logits of the rest would be computed only to be ignored. Same loss and gradients as HF's full head.
   */
  private countedHidden(batch: LmBatch, rng?: Rng): { hidden: tf.Tensor2D; labels: tf.Tensor1D; index: number[] } {
    const [b, t] = batch.inputIds.shape;
    const hidden = this.hiddenStates(batch, rng);
    const next = tf.reshape(tf.slice(batch.labels, [0, 1], [b, t - 1]), [-1]);
    const index: number[] = [];
    (next.dataSync() as Int32Array).forEach((y, i) => y !== IGNORE_INDEX && index.push(i));
    const idx = tf.tensor1d(index, 'int32');
    const flat = tf.reshape(tf.slice(hidden, [0, 0, 0], [b, t - 1, -1]), [b * (t - 1), this.config.nEmbd]);
    return { hidden: tf.gather(flat, idx) as tf.Tensor2D, labels: tf.gather(next, idx) as tf.Tensor1D, index };
  }

  /** HF's causal-LM loss: logits at t predict labels at t+1, -100 ignored, mean over counted tokens. */
  loss(batch: LmBatch, rng?: Rng): tf.Scalar {
    return tf.tidy(() => {
      const { hidden, labels, index } = this.countedHidden(batch, rng);
      if (index.length === 0) return tf.scalar(0);
      return crossEntropy(tf.matMul(hidden, this.transformer.wte.weight, false, true), labels) as tf.Scalar;
    });
  }

  /** Per-token NLL [B, T-1] aligned with labels[:, 1:] (0 where the label is -100). */
  tokenLosses(batch: LmBatch): tf.Tensor {
    return tf.tidy(() => {
      const [b, t] = batch.labels.shape;
      const { hidden, labels, index } = this.countedHidden(batch);
      if (index.length === 0) return tf.zeros([b, t - 1]);
      const nll = crossEntropy(tf.matMul(hidden, this.transformer.wte.weight, false, true), labels, {
        reduction: 'none',
      });
      return tf.reshape(tf.scatterND(tf.tensor2d(index, [index.length, 1], 'int32'), nll, [b * (t - 1)]), [b, t - 1]);
    });
  }

  /** Decoding from left-padded prompts; positions follow HF's generate (cumsum of the attention mask - 1). */
  startDecoding(
    inputIds: tf.Tensor,
    attentionMask: tf.Tensor,
    opts: { expand?: number; useCache?: boolean } = {},
  ): Decoding {
    return new Gpt2Decoding(
      this,
      inputIds.arraySync() as number[][],
      attentionMask.arraySync() as number[][],
      opts.expand ?? 1,
      opts.useCache ?? true,
    );
  }
}

class Gpt2Decoding implements Decoding {
  private ids: number[][];
  private mask: number[][];
  private cache: KeyValue[] | undefined;
  rows: number;

  constructor(
    private readonly model: Gpt2LMHeadModel,
    ids: number[][],
    mask: number[][],
    expand: number,
    private readonly useCache: boolean,
  ) {
    this.ids = ids.flatMap((r) => Array.from({ length: expand }, () => [...r]));
    this.mask = mask.flatMap((r) => Array.from({ length: expand }, () => [...r]));
    this.rows = this.ids.length;
  }

  private positions(from: number): number[][] {
    return this.mask.map((m) => {
      let c = 0;
      return m.map((x) => ((c += x), x ? c - 1 : 1)).slice(from);
    });
  }

  next(tokens: number[] | null): Float32Array {
    if (tokens) {
      this.ids.forEach((r, i) => r.push(tokens[i]));
      this.mask.forEach((r) => r.push(1));
    }
    const m = this.model;
    const logits = tf.tidy(() => {
      const total = this.ids[0].length;
      const from = this.useCache && this.cache ? total - 1 : 0;
      const t = total - from;
      const ids = tf.tensor2d(
        this.ids.map((r) => r.slice(from)),
        [this.rows, t],
        'int32',
      );
      const pos = tf.tensor2d(this.positions(from), [this.rows, t], 'int32');
      const causal = tf.slice(causalMask(total), [0, 0, from, 0], [1, 1, t, total]);
      const bias = tf.add(causal, additiveMask(tf.tensor2d(this.mask, undefined, 'float32')));
      const r = m.transformer.forward(ids, pos, bias, this.useCache ? this.cache : undefined);
      if (this.useCache) {
        this.cache?.forEach((kv) => tf.dispose([kv.k, kv.v]));
        this.cache = r.presents.map((kv) => ({ k: tf.keep(kv.k), v: tf.keep(kv.v) }));
      }
      return m.logits(tf.slice(r.hidden, [0, t - 1, 0], [-1, 1, -1]));
    });
    return takeValues(logits);
  }

  select(rows: number[]): void {
    this.ids = rows.map((r) => [...this.ids[r]]);
    this.mask = rows.map((r) => [...this.mask[r]]);
    if (this.cache) {
      const idx = tf.tensor1d(rows, 'int32');
      const old = this.cache;
      this.cache = old.map((kv) => ({ k: tf.gather(kv.k, idx), v: tf.gather(kv.v, idx) }));
      old.forEach((kv) => tf.dispose([kv.k, kv.v]));
      idx.dispose();
    }
    this.rows = rows.length;
  }

  dispose(): void {
    this.cache?.forEach((kv) => tf.dispose([kv.k, kv.v]));
  }
}
