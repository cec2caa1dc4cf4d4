// LoRA (Hu et al. 2021) as PEFT applies it to nn.Linear: y = W x + b + (alpha / r) * B A dropout(x),
// with A [r, in] random and B [out, r] zero, so a fresh adapter leaves the base model unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { dropout, linear } from './layers';

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

/** Adapter pairs keyed by the adapted module's Hugging Face name, e.g. `encoder.layer.0.attention.self.query`. */
export class LoraAdapters {
  constructor(
    readonly config: LoraConfig,
    readonly a: Map<string, tf.Variable>,
    readonly b: Map<string, tf.Variable>,
  ) {}

  /** Fresh adapters for every targeted module of `numLayers` layers of width `hidden`: A ~ PEFT's Kaiming-uniform, B = 0. */
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

  get scaling(): number {
    return this.config.alpha / this.config.r;
  }

  /** The low-rank term for module `name`, or null when it has no adapter. */
  delta(name: string, x: tf.Tensor, training: boolean, seed?: number): tf.Tensor | null {
    const a = this.a.get(name);
    const b = this.b.get(name);
    if (!a || !b) return null;
    const h = linear(dropout(x, this.config.dropout, training, seed), a);
    return tf.mul(linear(h, b), this.scaling);
  }

  variables(): tf.Variable[] {
    return [...this.a.values(), ...this.b.values()];
  }

  /** Tensors under PEFT's names relative to the adapted model, e.g. `encoder.layer.0.attention.self.query.lora_A.weight`. */
  namedTensors(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.a) out[`${name}.lora_A.weight`] = v;
    for (const [name, v] of this.b) out[`${name}.lora_B.weight`] = v;
    return out;
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
