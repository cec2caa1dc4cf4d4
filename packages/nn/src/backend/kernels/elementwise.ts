// Binary ops with broadcasting collapsed to at most a few strided loops, and unary maps: all in C.
import * as tf from '@tensorflow/tfjs-core';
import { BinaryOp, UnaryOp } from '../native-addon';
import { f32, sizeOf, type NativeKernel } from './common';

export interface BroadcastPlan {
  /** The broadcast output shape, as tfjs reports it. */
  outShape: number[];
  /** The output shape with size-1 dims dropped and mergeable neighbours merged (the loop nest the C code runs). */
  shape: number[];
  aStrides: number[];
  bStrides: number[];
}

function paddedStrides(shape: readonly number[], out: readonly number[]): number[] {
  const rank = out.length;
  const padded = new Array(rank - shape.length).fill(1).concat(shape) as number[];
  const strides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = padded[d] === 1 ? 0 : s;
    s *= padded[d];
  }
  return strides;
}

/** Strides (0 along broadcast dims) for a ⊕ b, with dims merged wherever both operands stay contiguous. */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape as number[], bShape as number[]);
  const as = paddedStrides(aShape, outShape),
    bs = paddedStrides(bShape, outShape);
  const shape: number[] = [],
    aStrides: number[] = [],
    bStrides: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && aStrides[last] === as[d] * outShape[d] && bStrides[last] === bs[d] * outShape[d]) {
      shape[last] *= outShape[d];
      aStrides[last] = as[d];
      bStrides[last] = bs[d];
    } else {
      shape.push(outShape[d]);
      aStrides.push(as[d]);
      bStrides.push(bs[d]);
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    aStrides.push(0);
    bStrides.push(0);
  }
  return { outShape, shape, aStrides, bStrides };
}

function binaryKernel(kernelName: string, op: number): NativeKernel {
  return {
    kernelName,
    native(addon, { inputs, backend }) {
      const a = f32(backend, inputs.a),
        b = f32(backend, inputs.b);
      if (!a || !b) return null;
      const p = broadcastPlan(inputs.a.shape, inputs.b.shape);
      if (p.shape.length > 8) return null;
      const out = new Float32Array(sizeOf(p.outShape));
      if (out.length > 0) addon.binary(op, p.shape, out, a, p.aStrides, b, p.bStrides);
      return backend.makeTensorInfo(p.outShape, 'float32', out);
    },
  };
}

function unaryKernel(kernelName: string, op: number, alphaAttr?: string): NativeKernel {
  return {
    kernelName,
    native(addon, { inputs, backend, attrs }) {
      const x = f32(backend, inputs.x);
      if (!x) return null;
      const out = new Float32Array(x.length);
      addon.unary(op, x, out, alphaAttr ? (attrs[alphaAttr] as number) : 0);
      return backend.makeTensorInfo(inputs.x.shape, 'float32', out);
    },
  };
}

export const elementwiseKernels: NativeKernel[] = [
  binaryKernel(tf.Add, BinaryOp.Add),
  binaryKernel(tf.Sub, BinaryOp.Sub),
  binaryKernel(tf.Multiply, BinaryOp.Mul),
  binaryKernel(tf.RealDiv, BinaryOp.Div),
  binaryKernel(tf.Maximum, BinaryOp.Max),
  binaryKernel(tf.Minimum, BinaryOp.Min),
  binaryKernel(tf.SquaredDifference, BinaryOp.SquaredDifference),
  binaryKernel(tf.Pow, BinaryOp.Pow),
  unaryKernel(tf.Exp, UnaryOp.Exp),
  unaryKernel(tf.Log, UnaryOp.Log),
  unaryKernel(tf.Neg, UnaryOp.Neg),
  unaryKernel(tf.Relu, UnaryOp.Relu),
  unaryKernel(tf.Tanh, UnaryOp.Tanh),
  unaryKernel(tf.Sigmoid, UnaryOp.Sigmoid),
  unaryKernel(tf.Sqrt, UnaryOp.Sqrt),
  unaryKernel(tf.Rsqrt, UnaryOp.Rsqrt),
  unaryKernel(tf.Square, UnaryOp.Square),
  unaryKernel(tf.Abs, UnaryOp.Abs),
  unaryKernel(tf.Reciprocal, UnaryOp.Reciprocal),
  // Step is ReLU's gradient mask: x > 0 ? 1 : alpha.
  unaryKernel(tf.Step, UnaryOp.Step, 'alpha'),
];
