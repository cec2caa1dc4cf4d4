import * as tf from '@tensorflow/tfjs-core';

/**
 * Scales gradients so their global L2 norm is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_
 * (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the new gradients (the
 * inputs are disposed when replaced) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = globalNorm(grads);
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { grads, norm };
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, tf.mul(g, coef));
    g.dispose();
  }
  return { grads: out, norm };
}

export function globalNorm(grads: Map<string, tf.Tensor>): number {
  const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  const total = sq.dataSync()[0];
  sq.dispose();
  return Math.sqrt(total);
}

/**
 * Sums gradients over micro-batches. Add each micro-batch's gradients with weight 1/N to get the mean,
 * as Hugging Face's Trainer does by dividing the loss by the accumulation steps.
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private added = 0;

  /** Adds `grads * scale`; the caller still owns (and disposes) `grads`. */
  add(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>, scale = 1): void {
    const entries = grads instanceof Map ? [...grads] : Object.entries(grads);
    for (const [name, g] of entries) {
      const prev = this.sums.get(name);
      const next = tf.tidy(() => (prev ? tf.add(prev, scale === 1 ? g : tf.mul(g, scale)) : scale === 1 ? g.clone() : tf.mul(g, scale)));
      prev?.dispose();
      this.sums.set(name, next);
    }
    this.added++;
  }

  /** How many micro-batches were added since the last `take()`. */
  get count(): number {
    return this.added;
  }

  /** Returns the sums (now owned by the caller) and starts over. */
  take(): Map<string, tf.Tensor> {
    const out = this.sums;
    this.sums = new Map();
    this.added = 0;
    return out;
  }

  dispose(): void {
    for (const t of this.sums.values()) t.dispose();
    this.sums.clear();
    this.added = 0;
  }
}
