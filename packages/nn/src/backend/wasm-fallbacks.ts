// Kernels tfjs-backend-wasm 4.22 lacks, done in JS on data read out of wasm memory.
import * as tf from '@tensorflow/tfjs-core';
import { scatterAddRows } from './segment-sum';

interface WasmBackendLike {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
}

/** Σ of the rows of x that share a segment id: the gradient of gather, so of every embedding look-up. */
function unsortedSegmentSum({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<string, tf.TensorInfo>;
  backend: unknown;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { x, segmentIds } = inputs;
  const segments = attrs.numSegments as number;
  const data = wasm.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
  const rest = x.shape.slice(segmentIds.shape.length);
  const cols = rest.reduce((a, b) => a * b, 1);
  const out = scatterAddRows(data, ids, segments, cols, x.dtype);
  return wasm.makeOutput([segments, ...rest], x.dtype, undefined, out);
}

/** Names of the kernels this module added (empty when wasm already has them all). */
export function registerWasmFallbacks(): string[] {
  const added: string[] = [];
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) {
    tf.registerKernel({
      kernelName: tf.UnsortedSegmentSum,
      backendName: 'wasm',
      kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
    });
    added.push(tf.UnsortedSegmentSum);
  }
  return added;
}
