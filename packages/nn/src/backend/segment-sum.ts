// tfjs-backend-cpu's UnsortedSegmentSum runs one masked reduction per segment, O(numSegments x N). The gradient of
// an embedding look-up (gather) is an UnsortedSegmentSum over the whole vocabulary, so on the plain cpu backend a
// 32k-token T5 spent tens of seconds a step there. This is the plain scatter-add, O(N). (native-cpu has its own C
// kernel and wasm gets one from wasm-fallbacks; this covers the pure JS cpu backend.)
import * as tf from '@tensorflow/tfjs-core';

interface CpuLikeBackend {
  readSync(dataId: unknown): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

/**
 * Σ of the rows of `values` (`inner` numbers each) that share a segment id; ids outside [0, numSegments) are
 * dropped, as TensorFlow does. The O(N) scatter-add behind this module's cpu kernel and wasm-fallbacks' kernel.
 */
export function scatterAddRows(
  values: ArrayLike<number>,
  ids: ArrayLike<number>,
  numSegments: number,
  inner: number,
  dtype: tf.DataType,
): Float32Array | Int32Array {
  const out = dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const i0 = r * inner;
    for (let j = 0; j < inner; j++) out[o + j] += values[i0 + j];
  }
  return out;
}

function scatterAdd({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const b = backend as CpuLikeBackend;
  const values = b.readSync(x.dataId);
  const ids = b.readSync(segmentIds.dataId);
  const inner = ids.length ? values.length / ids.length : 0;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return b.makeTensorInfo(outShape, x.dtype, scatterAddRows(values, ids, numSegments, inner, x.dtype));
}

let installed = false;

/**
 * Registers the O(N) scatter-add UnsortedSegmentSum on tfjs's `cpu` backend (once; later calls are no-ops).
 * Returns whether the backend running now (`tf.getBackend()`) has a linear-time kernel: `cpu` after this call,
 * `native-cpu` (its C kernel) and `wasm` (initBackend's fallback) already; false for any other.
 */
export function installFastSegmentSum(): boolean {
  if (!installed) {
    if (tf.getKernel(tf.UnsortedSegmentSum, 'cpu')) tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
    tf.registerKernel({
      kernelName: tf.UnsortedSegmentSum,
      backendName: 'cpu',
      kernelFunc: scatterAdd as unknown as tf.KernelFunc,
    });
    installed = true;
  }
  return ['cpu', 'native-cpu', 'wasm'].includes(tf.getBackend());
}
