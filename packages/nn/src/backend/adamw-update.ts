// One AdamW step (decoupled weight decay, PyTorch's formula) for one parameter, in place where that is safe.
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon } from './native-addon';

export interface AdamWStep {
  /** Learning rate of this step (after any schedule). */
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay; default 0.01 (PyTorch's AdamW default). */
  weightDecay?: number;
  /** 1-based step number, for the bias corrections. */
  step: number;
}

function cpuArrays(tensors: tf.Tensor[]): Float32Array[] | null {
  const name = tf.getBackend();
  if (name !== 'cpu' && name !== 'native-cpu') return null;
  const backend = tf.backend() as MathBackendCPU;
  const out: Float32Array[] = [];
  for (const t of tensors) {
    if (t.dtype !== 'float32') return null;
    const values = backend.data.get(t.dataId)?.values;
    if (!(values instanceof Float32Array)) return null;
    out.push(values);
  }
  return out;
}

/** Whether no other tensor shares t's buffer (tf.clone and tf.variable(x) share it while x lives). */
function exclusive(t: tf.Tensor): boolean {
  return (tf.backend() as MathBackendCPU).refCount(t.dataId) === 1;
}

/**
 * p ← p·(1 − lr·wd) − lr/(1−β1ᵗ) · m / (√(v/(1−β2ᵗ)) + eps), with m, v the updated moments;
 * PyTorch's `torch.optim.AdamW`. On cpu and native-cpu the three variables are updated in place (one C or JS loop, no
 * temporaries; a buffer another tensor shares is copied first); elsewhere through tfjs ops and `assign`.
 */
export function fusedAdamWUpdate(
  param: tf.Variable,
  grad: tf.Tensor,
  m: tf.Variable,
  v: tf.Variable,
  hp: AdamWStep,
): void {
  const beta1 = hp.beta1 ?? 0.9,
    beta2 = hp.beta2 ?? 0.999,
    eps = hp.eps ?? 1e-8,
    wd = hp.weightDecay ?? 0.01;
  const bc1 = 1 - beta1 ** hp.step,
    bc2 = 1 - beta2 ** hp.step;
  if (
    !tf.util.arraysEqual(param.shape, grad.shape) ||
    !tf.util.arraysEqual(param.shape, m.shape) ||
    !tf.util.arraysEqual(param.shape, v.shape)
  ) {
    throw new Error(
      `fusedAdamWUpdate: shapes differ: param [${param.shape}], grad [${grad.shape}], m [${m.shape}], v [${v.shape}]`,
    );
  }
  const arrays = cpuArrays([param, m, v, grad]);
  if (arrays) {
    // Shared buffers are copied first (copy-on-write) and the copies assigned back.
    const owned = [param, m, v].map(exclusive);
    const [p, ma, va] = arrays.slice(0, 3).map((a, i) => (owned[i] ? a : a.slice()));
    const g = arrays[3];
    const finish = () =>
      [param, m, v].forEach((t, i) => {
        if (owned[i]) return;
        const fresh = tf.tensor([p, ma, va][i], t.shape, 'float32');
        t.assign(fresh);
        fresh.dispose();
      });
    const addon = tf.getBackend() === 'native-cpu' ? loadNativeAddon().addon : null;
    if (addon) {
      addon.adamw(p, g, ma, va, hp.lr, beta1, beta2, eps, wd, bc1, bc2);
      finish();
      return;
    }
    const decay = 1 - hp.lr * wd,
      stepSize = hp.lr / bc1,
      sqrtBc2 = Math.sqrt(bc2);
    for (let i = 0; i < p.length; i++) {
      const mi = (ma[i] = beta1 * ma[i] + (1 - beta1) * g[i]);
      const vi = (va[i] = beta2 * va[i] + (1 - beta2) * g[i] * g[i]);
      p[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
    }
    finish();
    return;
  }
  tf.tidy(() => {
    const m2 = tf.add(tf.mul(m, beta1), tf.mul(grad, 1 - beta1));
    const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(grad), 1 - beta2));
    const denom = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(bc2)), eps);
    param.assign(tf.sub(tf.mul(param, 1 - hp.lr * wd), tf.mul(tf.div(m2, denom), hp.lr / bc1)));
    m.assign(m2);
    v.assign(v2);
  });
}
