import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon, UnaryOp } from '../backend/native-addon';

/** The float32 buffer behind `t` on cpu and native-cpu (tensors there are plain typed arrays), else null. */
function cpuValues(t: tf.Tensor): Float32Array | null {
  const name = tf.getBackend();
  if ((name !== 'cpu' && name !== 'native-cpu') || t.dtype !== 'float32') return null;
  const values = (tf.backend() as MathBackendCPU).data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : null;
}

const nativeAddon = () => (tf.getBackend() === 'native-cpu' ? loadNativeAddon().addon : null);

/**
 * Scales gradients so their global L2 norm is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_
 * (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the gradients and the norm before
 * clipping. The caller hands the gradients over: on cpu and native-cpu each is scaled in place (one pass, no
 * new buffer; a buffer another tensor shares is copied first) and returned; elsewhere it is replaced by a
 * scaled copy and disposed.
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = globalNorm(grads);
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { grads, norm };
  const out = new Map<string, tf.Tensor>();
  const addon = nativeAddon();
  for (const [name, g] of grads) {
    const values = cpuValues(g);
    if (values && (tf.backend() as MathBackendCPU).refCount(g.dataId) === 1) {
      if (addon) addon.unary(UnaryOp.Scale, values, values, coef);
      else for (let i = 0; i < values.length; i++) values[i] *= coef;
      out.set(name, g);
    } else {
      out.set(name, tf.mul(g, coef));
      g.dispose();
    }
  }
  return { grads: out, norm };
}

/** √(Σ g²) over every gradient, accumulated in double on cpu and native-cpu. */
export function globalNorm(grads: Map<string, tf.Tensor>): number {
  const addon = nativeAddon();
  let total = 0;
  const rest: tf.Tensor[] = [];
  for (const g of grads.values()) {
    const values = cpuValues(g);
    if (!values) {
      rest.push(g);
      continue;
    }
    if (addon) total += addon.sumSquares(values);
    else for (let i = 0; i < values.length; i++) total += values[i] * values[i];
  }
  if (rest.length) {
    // addN in groups of 6: on webgpu it binds one buffer per input, and devices may allow as few as 8 a shader.
    const sq = tf.tidy(() => {
      let parts = rest.map((g) => tf.sum(tf.square(g)));
      while (parts.length > 1) {
        const next: tf.Tensor[] = [];
        for (let i = 0; i < parts.length; i += 6) next.push(tf.addN(parts.slice(i, i + 6)));
        parts = next;
      }
      return parts[0];
    });
    total += sq.dataSync()[0];
    sq.dispose();
  }
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
      const next = tf.tidy(() =>
        prev ? tf.add(prev, scale === 1 ? g : tf.mul(g, scale)) : scale === 1 ? g.clone() : tf.mul(g, scale),
      );
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
