// Mean token cross-entropy of logits [N, V] against labels [N] (-100 ignored, as Hugging Face/PyTorch do),
// fused: the forward keeps only each row's log-sum-exp, the backward writes (softmax - onehot) · dy / count in
// one pass. Runs as a kernel on cpu (JS) and native-cpu (C); other backends get the same math from tfjs ops.
import * as tf from '@tensorflow/tfjs-core';
import { f32, i32, type KernelArgs as Args, type NativeKernel } from './kernels/common';

export const SOFTMAX_XENT = 'KardSoftmaxCrossEntropy';
export const SOFTMAX_XENT_GRAD = 'KardSoftmaxCrossEntropyGrad';

function checkLabels(labels: Int32Array, cols: number, ignoreIndex: number): number {
  let count = 0;
  for (let r = 0; r < labels.length; r++) {
    const y = labels[r];
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= cols) throw new RangeError(`softmaxCrossEntropy: label ${y} at row ${r} is not in [0, ${cols})`);
    count++;
  }
  return count;
}

function forwardJs({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const x = f32(backend, inputs.logits) as Float32Array,
    labels = i32(backend, inputs.labels) as Int32Array;
  const [rows, cols] = inputs.logits.shape;
  const ignoreIndex = attrs.ignoreIndex as number;
  const count = checkLabels(labels, cols, ignoreIndex);
  const lse = new Float32Array(rows);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) if (x[o + c] > mx) mx = x[o + c];
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(x[o + c] - mx);
    lse[r] = mx + Math.log(sum);
    if (labels[r] !== ignoreIndex) total += lse[r] - x[o + labels[r]];
  }
  return [
    backend.makeTensorInfo([], 'float32', new Float32Array([total / count])),
    backend.makeTensorInfo([rows], 'float32', lse),
  ];
}

function backwardJs({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = f32(backend, inputs.logits) as Float32Array,
    labels = i32(backend, inputs.labels) as Int32Array;
  const lse = f32(backend, inputs.lse) as Float32Array,
    dy = (f32(backend, inputs.dy) as Float32Array)[0];
  const [rows, cols] = inputs.logits.shape;
  const ignoreIndex = attrs.ignoreIndex as number;
  const count = checkLabels(labels, cols, ignoreIndex);
  const scale = count > 0 ? dy / count : 0;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (labels[r] === ignoreIndex) continue;
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[o + c] = scale * Math.exp(x[o + c] - lse[r]);
    out[o + labels[r]] -= scale;
  }
  return backend.makeTensorInfo([rows, cols], 'float32', out);
}

/** The C versions, registered on native-cpu (they fall back to the JS ones above for non-float32 logits). */
export const softmaxCrossEntropyKernels: NativeKernel[] = [
  {
    kernelName: SOFTMAX_XENT,
    native(addon, { inputs, backend, attrs }) {
      const x = f32(backend, inputs.logits),
        labels = i32(backend, inputs.labels);
      if (!x || !labels) return null;
      const [rows, cols] = inputs.logits.shape;
      const ignoreIndex = attrs.ignoreIndex as number;
      const lse = new Float32Array(rows);
      const [sum, count] = addon.xentForward(x, labels, lse, rows, cols, ignoreIndex);
      if (count < 0) checkLabels(labels, cols, ignoreIndex); // throws with the offending row
      return [
        backend.makeTensorInfo([], 'float32', new Float32Array([sum / count])),
        backend.makeTensorInfo([rows], 'float32', lse),
      ];
    },
  },
  {
    kernelName: SOFTMAX_XENT_GRAD,
    native(addon, { inputs, backend, attrs }) {
      const x = f32(backend, inputs.logits),
        labels = i32(backend, inputs.labels);
      const lse = f32(backend, inputs.lse),
        dy = f32(backend, inputs.dy);
      if (!x || !labels || !lse || !dy) return null;
      const [rows, cols] = inputs.logits.shape;
      const ignoreIndex = attrs.ignoreIndex as number;
      const count = checkLabels(labels, cols, ignoreIndex);
      const out = new Float32Array(rows * cols);
      addon.xentBackward(x, labels, lse, rows, cols, ignoreIndex, count > 0 ? dy[0] / count : 0, out);
      return backend.makeTensorInfo([rows, cols], 'float32', out);
    },
  },
];

let registered = false;
/** Registers the JS kernels on cpu and the gradient; idempotent. native-cpu copies and overrides them. */
export function registerSoftmaxCrossEntropy(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: SOFTMAX_XENT,
    backendName: 'cpu',
    kernelFunc: forwardJs as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: SOFTMAX_XENT_GRAD,
    backendName: 'cpu',
    kernelFunc: backwardJs as unknown as tf.KernelFunc,
  });
  tf.registerGradient({
    kernelName: SOFTMAX_XENT,
    inputsToSave: ['logits', 'labels'],
    outputsToSave: [false, true],
    gradFunc: (dy, saved, attrs) => {
      const [logits, labels, lse] = saved;
      const dLoss = Array.isArray(dy) ? dy[0] : dy;
      return {
        logits: () => tf.engine().runKernel(SOFTMAX_XENT_GRAD, { logits, labels, lse, dy: dLoss }, attrs) as tf.Tensor,
        labels: () => tf.zerosLike(labels),
      };
    },
  });
}

/** Whether the running backend has the fused kernels (cpu, native-cpu); elsewhere tfjs ops do the same math. */
export function hasFusedSoftmaxCrossEntropy(): boolean {
  registerSoftmaxCrossEntropy();
  return tf.getKernel(SOFTMAX_XENT, tf.getBackend()) !== undefined;
}

/**
 * Mean cross-entropy of `logits2d` [N, V] against integer `labels1d` [N]; rows whose label is `ignoreIndex`
 * count neither in the sum nor in N (PyTorch's `CrossEntropyLoss(ignore_index=-100)`, NaN when every row is
 * ignored). Differentiable in the logits on every backend; fused kernels on cpu and native-cpu.
 */
export function fusedSoftmaxCrossEntropy(logits2d: tf.Tensor2D, labels1d: tf.Tensor1D, ignoreIndex = -100): tf.Scalar {
  if (logits2d.rank !== 2 || labels1d.rank !== 1 || labels1d.shape[0] !== logits2d.shape[0]) {
    throw new Error(
      `fusedSoftmaxCrossEntropy: expected logits [N, V] and labels [N], got [${logits2d.shape}] and ` +
        `[${labels1d.shape}]`,
    );
  }
  registerSoftmaxCrossEntropy();
  return tf.tidy(() => {
    const labels = labels1d.dtype === 'int32' ? labels1d : tf.cast(labels1d, 'int32');
    const logits = logits2d.dtype === 'float32' ? logits2d : tf.cast(logits2d, 'float32');
    if (hasFusedSoftmaxCrossEntropy()) {
      const [loss] = tf.engine().runKernel(SOFTMAX_XENT, { logits, labels }, { ignoreIndex }) as tf.Tensor[];
      return loss as tf.Scalar;
    }
    const mask = tf.notEqual(labels, tf.scalar(ignoreIndex, 'int32'));
    const safe = tf.where(mask, labels, tf.zerosLike(labels));
    // One-hot through equal(range, label): tfjs-backend-wasm 4.22's OneHot writes float32 output wrongly.
    const oneHot = tf.cast(
      tf.equal(tf.range(0, logits.shape[1], 1, 'int32').expandDims(0), safe.expandDims(1)),
      'float32',
    );
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), -1);
    const maskF = tf.cast(mask, 'float32');
    return tf.div(tf.neg(tf.sum(tf.mul(picked, maskF))), tf.sum(maskF)) as tf.Scalar;
  });
}
