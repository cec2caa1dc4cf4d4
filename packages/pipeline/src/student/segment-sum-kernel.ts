// tfjs-backend-cpu's UnsortedSegmentSum runs one masked reduction per segment: O(numSegments x N). The gradient
// of an embedding lookup (gather) is an UnsortedSegmentSum over the whole vocabulary, so a 32k-token T5 spends
// tens of seconds per step there. This kernel is the plain scatter-add, O(N). It belongs in @kard/nn's backend
// registration; until it is there, the pipeline installs it on the CPU-family backend it runs on.
import * as tf from '@tensorflow/tfjs-core';

type CpuLikeBackend = {
  readSync(dataId: unknown): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
};

function scatterAdd({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: unknown }): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const b = backend as CpuLikeBackend;
  const values = b.readSync(x.dataId);
  const ids = b.readSync(segmentIds.dataId);
  const rows = ids.length;
  const inner = rows ? values.length / rows : 0;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue; // TensorFlow drops out-of-range ids
    const o = s * inner;
    const i0 = r * inner;
    for (let j = 0; j < inner; j++) out[o + j] += values[i0 + j];
  }
  return b.makeTensorInfo(outShape, x.dtype, out);
}

const installed = new Set<string>();

/** Replaces UnsortedSegmentSum on the current backend when it is the CPU one or @kard/nn's native-cpu. */
export function installFastSegmentSum(): boolean {
  const name = tf.getBackend();
  if (!['cpu', 'native-cpu'].includes(name) || installed.has(name)) return installed.has(name);
  const existing = tf.getKernel('UnsortedSegmentSum', name);
  if (existing) tf.unregisterKernel('UnsortedSegmentSum', name);
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: name, kernelFunc: scatterAdd as unknown as tf.KernelFunc });
  installed.add(name);
  return true;
}
