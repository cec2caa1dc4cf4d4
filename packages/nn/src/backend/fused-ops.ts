// Fused replacements for op chains that dominate a training step on native-cpu once GEMMs are fast: T5's RMS
// norm (forward 6 ops, backward ~10), the softmax backward (4 ops) and ReLU's backward (2 ops). Each is one C
// pass. They exist only on native-cpu; every other backend runs the same math as tfjs ops, which the parity
// tests use as the reference.
import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import { BinaryOp, type NativeAddon } from './native-addon';
import { f32, type KernelArgs, type TensorInfo } from './kernels/common';

const RMS_NORM = 'KardRmsNorm';
const RMS_NORM_GRAD_X = 'KardRmsNormGradX';
const RMS_NORM_GRAD_W = 'KardRmsNormGradW';
const SOFTMAX_GRAD = 'KardSoftmaxGrad';
const RELU_GRAD = 'KardReluGrad';

const has = (kernelName: string) => tf.getKernel(kernelName, tf.getBackend()) !== undefined;
const lastDim = (shape: readonly number[]) => shape[shape.length - 1];

/**
 * T5's layer norm (`T5LayerNorm`): weight · x / sqrt(mean(x², last axis) + eps), no mean subtraction, no bias.
 * One fused kernel forward and backward on native-cpu; tfjs ops elsewhere.
 */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  if (
    has(RMS_NORM) &&
    x.dtype === 'float32' &&
    weight.dtype === 'float32' &&
    weight.rank === 1 &&
    x.rank >= 1 &&
    lastDim(x.shape) === weight.shape[0] &&
    x.size > 0
  ) {
    const [out] = tf.engine().runKernel(RMS_NORM, { x, weight }, { eps }) as tf.Tensor[];
    return out;
  }
  return tf.tidy(() => tf.mul(weight, tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)))));
}

type Native = (addon: NativeAddon, args: KernelArgs) => TensorInfo | TensorInfo[];

const nativeFused: Record<string, Native> = {
  [RMS_NORM](addon, { inputs, backend, attrs }) {
    const x = f32(backend, inputs.x)!,
      w = f32(backend, inputs.weight)!;
    const cols = lastDim(inputs.x.shape),
      rows = x.length / cols;
    const out = new Float32Array(x.length),
      invRms = new Float32Array(rows);
    addon.rmsNorm(x, w, out, invRms, rows, cols, attrs.eps as number);
    return [backend.makeTensorInfo(inputs.x.shape, 'float32', out), backend.makeTensorInfo([rows], 'float32', invRms)];
  },
  [RMS_NORM_GRAD_X](addon, { inputs, backend }) {
    const x = f32(backend, inputs.x)!,
      cols = lastDim(inputs.x.shape);
    const dx = new Float32Array(x.length);
    addon.rmsNormGrad(
      x,
      f32(backend, inputs.weight)!,
      f32(backend, inputs.invRms)!,
      f32(backend, inputs.dy)!,
      dx,
      new Float32Array(0),
      x.length / cols,
      cols,
    );
    return backend.makeTensorInfo(inputs.x.shape, 'float32', dx);
  },
  [RMS_NORM_GRAD_W](addon, { inputs, backend }) {
    const x = f32(backend, inputs.x)!,
      cols = lastDim(inputs.x.shape);
    const dw = new Float32Array(cols);
    addon.rmsNormGrad(
      x,
      f32(backend, inputs.weight)!,
      f32(backend, inputs.invRms)!,
      f32(backend, inputs.dy)!,
      new Float32Array(0),
      dw,
      x.length / cols,
      cols,
    );
    return backend.makeTensorInfo([cols], 'float32', dw);
  },
  [SOFTMAX_GRAD](addon, { inputs, backend }) {
    const y = f32(backend, inputs.y)!,
      cols = lastDim(inputs.y.shape);
    const dx = new Float32Array(y.length);
    addon.softmaxGrad(y, f32(backend, inputs.dy)!, dx, y.length / cols, cols);
    return backend.makeTensorInfo(inputs.y.shape, 'float32', dx);
  },
  [RELU_GRAD](addon, { inputs, backend }) {
    const x = f32(backend, inputs.x)!,
      dy = f32(backend, inputs.dy)!;
    const dx = new Float32Array(x.length);
    addon.binary(BinaryOp.ReluGrad, [x.length], dx, dy, [1], x, [1]);
    return backend.makeTensorInfo(inputs.x.shape, 'float32', dx);
  },
};

let gradientsRegistered = false;

/** Gradients that use the fused kernels where the running backend has them, else tfjs's own formulas. */
function registerGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient({
    kernelName: RMS_NORM,
    inputsToSave: ['x', 'weight'],
    outputsToSave: [false, true],
    gradFunc: (dy, saved) => {
      const [x, weight, invRms] = saved;
      const g = Array.isArray(dy) ? dy[0] : dy;
      const inputs = { x, weight, invRms, dy: g };
      return {
        x: () => tf.engine().runKernel(RMS_NORM_GRAD_X, inputs) as tf.Tensor,
        weight: () => tf.engine().runKernel(RMS_NORM_GRAD_W, inputs) as tf.Tensor,
      };
    },
  });
  // Same semantics as tfjs-core's softmaxGradConfig and reluGradConfig, which these replace.
  tf.registerGradient({
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [y] = saved;
      const g = dy as tf.Tensor;
      const dim = attrs.dim as number;
      if (has(SOFTMAX_GRAD) && y.dtype === 'float32' && (dim === -1 || dim === y.rank - 1) && y.size > 0) {
        return { logits: () => tf.engine().runKernel(SOFTMAX_GRAD, { y, dy: g }) as tf.Tensor };
      }
      const dyTimesY = tf.mul(g, y);
      return { logits: () => tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y)) };
    },
  });
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved;
      const g = dy as tf.Tensor;
      if (has(RELU_GRAD) && x.dtype === 'float32' && g.dtype === 'float32' && tf.util.arraysEqual(x.shape, g.shape)) {
        return { x: () => tf.engine().runKernel(RELU_GRAD, { x, dy: g }) as tf.Tensor };
      }
      return { x: () => tf.mul(g, tf.cast(tf.step(x), 'float32')) };
    },
  });
}

/** Registers the fused kernels on `backendName` (native-cpu) and the gradients that use them; idempotent. */
export function registerFusedOps(addon: NativeAddon, backendName: string): void {
  registerGradients();
  for (const [kernelName, native] of Object.entries(nativeFused)) {
    if (tf.getKernel(kernelName, backendName)) continue;
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: (args) => native(addon, args as unknown as KernelArgs) as tf.TensorInfo,
    });
  }
}
