// What every native-cpu kernel shares: typed-array access to cpu-backend tensors and the cpu fallback.
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../native-addon';

export type TensorInfo = tf.TensorInfo;

/** A kernel of the native-cpu backend: `native` returns null when the inputs need the cpu kernel's generality. */
export interface NativeKernel {
  kernelName: string;
  native(addon: NativeAddon, args: KernelArgs): TensorInfo | TensorInfo[] | null;
}

/** A kernel's arguments on a cpu-style backend; inputs are indexed by the names tfjs-core passes. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: MathBackendCPU;
  attrs: tf.NamedAttrMap;
}

/** The float32 values of a cpu-backend tensor, or null for other dtypes (and complex tensors). */
export function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : null;
}

/** The int32 values of a cpu-backend tensor, or null for other dtypes. */
export function i32(backend: MathBackendCPU, t: TensorInfo | undefined): Int32Array | null {
  if (!t || t.dtype !== 'int32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Int32Array ? values : null;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The cpu backend's own kernel, called when a fast path does not apply. */
export function cpuKernel(kernelName: string): tf.KernelFunc {
  const config = tf.getKernel(kernelName, 'cpu');
  if (!config) throw new Error(`tfjs cpu backend has no ${kernelName} kernel`);
  return config.kernelFunc;
}
