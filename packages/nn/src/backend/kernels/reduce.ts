// Sum/Mean/Max/Min over one contiguous block of axes (the usual last-axis or leading-axis case), and Softmax.
import * as tf from '@tensorflow/tfjs-core';
import { ReduceOp } from '../native-addon';
import { f32, sizeOf, type NativeKernel } from './common';

function reduceKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    native(addon, { inputs, backend, attrs }) {
      const x = f32(backend, inputs.x);
      const shape = inputs.x.shape;
      if (!x || shape.length === 0) return null;
      // Max names its axis attribute reductionIndices; Sum, Mean and Min call it axis.
      const axisAttr = kernelName === tf.Max ? attrs.reductionIndices : attrs.axis;
      const axes = tf.util.parseAxisParam(axisAttr as number | number[], shape).sort((p, q) => p - q);
      if (axes.length === 0) return null;
      for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
      const first = axes[0],
        last = axes[axes.length - 1];
      const n = sizeOf(shape.slice(first, last + 1));
      if (n === 0) return null;
      const outer = sizeOf(shape.slice(0, first)),
        inner = sizeOf(shape.slice(last + 1));
      const out = new Float32Array(outer * inner);
      addon.reduce(op, x, out, outer, n, inner);
      const outShape = attrs.keepDims
        ? shape.map((d, i) => (i >= first && i <= last ? 1 : d))
        : shape.filter((_, i) => i < first || i > last);
      return backend.makeTensorInfo(outShape, 'float32', out);
    },
  };
}

export const softmaxKernel: NativeKernel = {
  kernelName: tf.Softmax,
  native(addon, { inputs, backend, attrs }) {
    const x = f32(backend, inputs.logits);
    const shape = inputs.logits.shape;
    const dim = attrs.dim as number;
    if (!x || shape.length === 0 || (dim !== -1 && dim !== shape.length - 1)) return null;
    const cols = shape[shape.length - 1];
    const out = new Float32Array(x.length);
    if (cols > 0) addon.softmax(x, out, x.length / cols, cols);
    return backend.makeTensorInfo(shape, 'float32', out);
  },
};

export const reduceKernels: NativeKernel[] = [
  reduceKernel(tf.Sum, ReduceOp.Sum),
  reduceKernel(tf.Mean, ReduceOp.Mean),
  reduceKernel(tf.Max, ReduceOp.Max),
  reduceKernel(tf.Min, ReduceOp.Min),
  softmaxKernel,
];
