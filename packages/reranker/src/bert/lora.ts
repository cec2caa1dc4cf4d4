// LoRA (Hu et al. 2021) as PEFT applies it to nn.Linear: y = W x + b + (alpha / r) * B A dropout(x),
// with A [r, in] random and B [out, r] zero, so a fresh adapter leaves the base model unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module } from '@kard/nn';
import { dropout } from './layers';

export interface LoraConfig {
  /** Rank of the update. KARD: 16. */
  r: number;
  /** Scale numerator: the update is multiplied by alpha / r. KARD: 32. */
  alpha: number;
  /** Dropout on the adapter's input during training. KARD: 0.1. */
  dropout: number;
  /** Which attention projections get adapters. KARD: query and value. */
  targetModules: Array<'query' | 'key' | 'value'>;
}

export const KARD_LORA: LoraConfig = { r: 16, alpha: 32, dropout: 0.1, targetModules: ['query', 'value'] };

/** One adapted projection's pair, named as PEFT saves it: `lora_A.weight` [r, in], `lora_B.weight` [out, r]. */
class LoraPair extends Module {
  readonly lora_A: Linear;
  readonly lora_B: Linear;

  /** Takes ownership of `a` and `b` (their trainable flags are kept). */
  constructor(a: tf.Variable, b: tf.Variable) {
    super();
    const [trainA, trainB] = [a.trainable, b.trainable];
    this.lora_A = this.addModule('lora_A', new Linear(a.shape[1]!, a.shape[0]!, { bias: false, init: () => a }));
    this.lora_B = this.addModule('lora_B', new Linear(b.shape[1]!, b.shape[0]!, { bias: false, init: () => b }));
    this.lora_A.weight.trainable = trainA;
    this.lora_B.weight.trainable = trainB;
  }
}

/**
 * Adapter pairs keyed by the adapted module's Hugging Face name, e.g. `encoder.layer.0.attention.self.query`; as a
 * Module its parameters are PEFT's names relative to the adapted model (`…query.lora_A.weight`).
 */
export class LoraAdapters extends Module {
  private readonly pairs = new Map<string, LoraPair>();

  /** Takes ownership of the variables in `a` and `b` (same keys). */
  constructor(
    readonly config: LoraConfig,
    a: Map<string, tf.Variable>,
    b: Map<string, tf.Variable>,
  ) {
    super();
    for (const [name, av] of a) {
      const bv = b.get(name);
      if (!bv) throw new Error(`LoRA module "${name}" has lora_A but no lora_B`);
      this.pairs.set(name, this.addModule(name, new LoraPair(av, bv)));
    }
  }

  /**
   * Fresh adapters for every targeted module of `numLayers` layers of width `hidden`: A ~ PEFT's Kaiming-uniform, B =
   * 0.
   */
  static create(config: LoraConfig, numLayers: number, hidden: number, seed: number): LoraAdapters {
    const a = new Map<string, tf.Variable>();
    const b = new Map<string, tf.Variable>();
    // PEFT: kaiming_uniform_(a=sqrt(5)) on [r, in] gives U(-1/sqrt(in), 1/sqrt(in)).
    const bound = 1 / Math.sqrt(hidden);
    let s = seed;
    for (let i = 0; i < numLayers; i++) {
      for (const m of config.targetModules) {
        const name = `encoder.layer.${i}.attention.self.${m}`;
        a.set(name, tf.variable(tf.randomUniform([config.r, hidden], -bound, bound, 'float32', s++), true));
        b.set(name, tf.variable(tf.zeros([hidden, config.r]), true));
      }
    }
    return new LoraAdapters(config, a, b);
  }

  /** A matrices [r, in] by adapted module name. */
  get a(): Map<string, tf.Variable> {
    return new Map([...this.pairs].map(([n, p]) => [n, p.lora_A.weight]));
  }

  /** B matrices [out, r] by adapted module name. */
  get b(): Map<string, tf.Variable> {
    return new Map([...this.pairs].map(([n, p]) => [n, p.lora_B.weight]));
  }

  get scaling(): number {
    return this.config.alpha / this.config.r;
  }

  /** The low-rank term for module `name`, or null when it has no adapter. */
  delta(name: string, x: tf.Tensor, training: boolean, seed?: number): tf.Tensor | null {
    const pair = this.pairs.get(name);
    if (!pair) return null;
    const h = pair.lora_A.forward(dropout(x, this.config.dropout, training, seed));
    return tf.mul(pair.lora_B.forward(h), this.scaling);
  }

  /** All A matrices, then all B matrices (the order trainers have always handed the optimizer). */
  variables(): tf.Variable[] {
    return [...this.a.values(), ...this.b.values()];
  }

  /**
   * Tensors under PEFT's names relative to the adapted model, e.g.
   * `encoder.layer.0.attention.self.query.lora_A.weight`.
   */
  namedTensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.a) out[`${name}.lora_A.weight`] = v;
    for (const [name, v] of this.b) out[`${name}.lora_B.weight`] = v;
    return out;
  }
}
