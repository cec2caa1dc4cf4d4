import * as tf from '@tensorflow/tfjs-core';
import { fusedAdamWUpdate } from '../backend/adamw-update';

export interface AdamWOptions {
  /** Learning rate; a schedule can change it per step through `step(grads, lr)`. Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay, applied as `p -= lr * weightDecay * p` before the Adam update. Default 0.01 (PyTorch). */
  weightDecay?: number;
  /** Which parameters decay; default all. Hugging Face's Trainer exempts biases and layer-norm weights. */
  decays?: (name: string) => boolean;
  /**
   * Update each parameter with `fusedAdamWUpdate` (one in-place C loop on native-cpu, a JS loop on cpu, tfjs ops
   * elsewhere) rather than the op-by-op formula below, which allocates six temporaries per parameter. The two
   * agree to float32 rounding. Default true.
   */
  fused?: boolean;
}

export interface AdamWState {
  step: number;
  /** First and second moments by parameter name (PyTorch's exp_avg / exp_avg_sq). */
  expAvg: Map<string, tf.Tensor>;
  expAvgSq: Map<string, tf.Tensor>;
}

/** AdamW exactly as torch.optim.AdamW (non-amsgrad). */
export class AdamW {
  readonly params: Map<string, tf.Variable>;
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decays: (name: string) => boolean;
  private readonly fused: boolean;
  private stepCount = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(params: Map<string, tf.Variable>, opts: AdamWOptions = {}) {
    this.params = params;
    this.lr = opts.lr ?? 1e-3;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.decays = opts.decays ?? (() => true);
    this.fused = opts.fused ?? true;
    for (const [name, p] of params) {
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
    }
  }

  get step(): number {
    return this.stepCount;
  }

  /** One update from `grads` (by parameter name); parameters without a gradient are left alone, as in PyTorch. */
  applyGradients(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>, lr = this.lr): void {
    const g = grads instanceof Map ? grads : new Map(Object.entries(grads));
    this.stepCount++;
    const [b1, b2] = this.betas;
    const bc1 = 1 - b1 ** this.stepCount;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.stepCount);
    const stepSize = lr / bc1;
    for (const [name, p] of this.params) {
      const grad = g.get(name);
      if (!grad) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      if (this.fused) {
        fusedAdamWUpdate(p, grad, m, v, {
          lr,
          beta1: b1,
          beta2: b2,
          eps: this.eps,
          weightDecay: this.decays(name) ? this.weightDecay : 0,
          step: this.stepCount,
        });
        continue;
      }
      tf.tidy(() => {
        const decay = this.decays(name) ? 1 - lr * this.weightDecay : 1;
        const mNew = tf.add(tf.mul(m, b1), tf.mul(grad, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(grad), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), bc2Sqrt), this.eps);
        const pNew = tf.sub(decay === 1 ? p : tf.mul(p, decay), tf.mul(tf.div(mNew, denom), stepSize));
        m.assign(mNew);
        v.assign(vNew);
        p.assign(pNew);
      });
    }
  }

  /** A copy-free view of the state (tensors stay owned by the optimizer). */
  getState(): AdamWState {
    return { step: this.stepCount, expAvg: new Map(this.m), expAvgSq: new Map(this.v) };
  }

  /** Restores moments and step; moments for unknown names are an error, missing ones stay zero. */
  setState(state: { step: number; expAvg: Map<string, tf.Tensor>; expAvgSq: Map<string, tf.Tensor> }): void {
    for (const [kind, src, dst] of [
      ['exp_avg', state.expAvg, this.m],
      ['exp_avg_sq', state.expAvgSq, this.v],
    ] as const) {
      for (const [name, t] of src) {
        const target = dst.get(name);
        if (!target) throw new Error(`optimizer state has ${kind} for unknown parameter "${name}"`);
        if (!tf.util.arraysEqual(target.shape, t.shape)) {
          throw new Error(`optimizer ${kind} for "${name}" has shape [${t.shape}], parameter has [${target.shape}]`);
        }
        target.assign(t);
      }
    }
    this.stepCount = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
