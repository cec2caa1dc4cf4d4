// BatchMatMul and _FusedMatMul through OpenBLAS sgemm: transposes are BLAS flags, never copies.
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../native-addon';
import { BinaryOp, UnaryOp } from '../native-addon';
import { broadcastPlan } from './elementwise';
import { f32, sizeOf, type NativeKernel, type TensorInfo } from './common';

/** a·b with tfjs's BatchMatMul semantics, or null when the batch dims broadcast in a way sgemm strides cannot. */
export function nativeMatMul(
  addon: NativeAddon,
  backend: MathBackendCPU,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): { values: Float32Array; shape: number[] } | null {
  const av = f32(backend, a),
    bv = f32(backend, b);
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length,
    rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ` +
        `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2),
    outerB = b.shape.slice(0, -2);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = sizeOf(outer),
    batchA = sizeOf(outerA),
    batchB = sizeOf(outerB);
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  const out = new Float32Array(batch * m * n);
  addon.gemm(
    batch,
    transposeA ? 1 : 0,
    transposeB ? 1 : 0,
    m,
    n,
    k,
    av,
    batchA === 1 ? 0 : m * k,
    bv,
    batchB === 1 ? 0 : k * n,
    out,
    m * n,
  );
  return { values: out, shape: [...outer, m, n] };
}

export const batchMatMulKernel: NativeKernel = {
  kernelName: tf.BatchMatMul,
  native(addon, { inputs, backend, attrs }) {
    const r = nativeMatMul(addon, backend, inputs.a, inputs.b, !!attrs.transposeA, !!attrs.transposeB);
    return r && backend.makeTensorInfo(r.shape, 'float32', r.values);
  },
};

/** Activations applied in place after the GEMM; others (prelu, leakyrelu, ...) go to the cpu kernel. */
const fusedActivations: Record<string, number> = { relu: UnaryOp.Relu, sigmoid: UnaryOp.Sigmoid };

export const fusedMatMulKernel: NativeKernel = {
  kernelName: tf._FusedMatMul,
  native(addon, { inputs, backend, attrs }) {
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if (activation !== 'linear' && !(activation in fusedActivations)) return null;
    const bias = inputs.bias as TensorInfo | undefined;
    const biasValues = bias ? f32(backend, bias) : null;
    if (bias && !biasValues) return null;
    const r = nativeMatMul(addon, backend, inputs.a, inputs.b, !!attrs.transposeA, !!attrs.transposeB);
    if (!r) return null;
    const { values, shape } = r;
    if (bias && biasValues) {
      const p = broadcastPlan(shape, bias.shape);
      if (p.outShape.length !== shape.length || sizeOf(p.outShape) !== values.length) return null;
      addon.binary(BinaryOp.Add, p.shape, values, values, p.aStrides, biasValues, p.bStrides);
    }
    if (activation !== 'linear') addon.unary(fusedActivations[activation], values, values, 0);
    return backend.makeTensorInfo(shape, 'float32', values);
  },
};
