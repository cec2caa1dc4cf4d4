// Data movement: Transpose (tiled), GatherV2 on axis 0 (embedding look-up) and UnsortedSegmentSum (its gradient).
import * as tf from '@tensorflow/tfjs-core';
import { f32, i32, sizeOf, type NativeKernel } from './common';

/** Drops size-1 dims and merges input dims that stay adjacent under perm, so most transposes are rank 2-3. */
export function collapseTranspose(
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const keep = shape.map((d, i) => i).filter((i) => shape[i] !== 1);
  const rank = new Map(keep.map((axis, i) => [axis, i]));
  const p = perm.filter((axis) => rank.has(axis)).map((axis) => rank.get(axis) as number);
  const s = keep.map((axis) => shape[axis]);
  // Group runs of consecutive input axes in output order.
  const groups: number[][] = [];
  for (const axis of p) {
    const g = groups[groups.length - 1];
    if (g && g[g.length - 1] + 1 === axis) g.push(axis);
    else groups.push([axis]);
  }
  const byInput = [...groups].sort((g, h) => g[0] - h[0]);
  const newShape = byInput.map((g) => g.reduce((acc, axis) => acc * s[axis], 1));
  const newPerm = groups.map((g) => byInput.indexOf(g));
  return { shape: newShape, perm: newPerm };
}

export const transposeKernel: NativeKernel = {
  kernelName: tf.Transpose,
  native(addon, { inputs, backend, attrs }) {
    const x = f32(backend, inputs.x);
    if (!x) return null;
    const perm = attrs.perm as number[];
    const outShape = perm.map((axis) => inputs.x.shape[axis]);
    const c = collapseTranspose(inputs.x.shape, perm);
    if (c.shape.length > 8) return null;
    if (c.perm.every((axis, i) => axis === i)) {
      // A no-op permutation (the embedding gradient's transpose of [V, D] by [0, 1]): share the buffer, as
      // Reshape does, instead of copying it.
      backend.incRef(inputs.x.dataId);
      return { dataId: inputs.x.dataId, shape: outShape, dtype: 'float32' };
    }
    const out = new Float32Array(x.length);
    if (x.length > 0) addon.transpose(c.shape, c.perm, x, out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  },
};

export const gatherKernel: NativeKernel = {
  kernelName: tf.GatherV2,
  native(addon, { inputs, backend, attrs }) {
    const table = f32(backend, inputs.x),
      ids = i32(backend, inputs.indices);
    const shape = inputs.x.shape;
    if (!table || !ids || shape.length === 0 || (attrs.batchDims as number) !== 0) return null;
    if (tf.util.parseAxisParam(attrs.axis as number, shape)[0] !== 0) return null;
    const rows = shape[0];
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= rows) throw new Error(`GatherV2: the index ${ids[i]} is not in [0, ${rows - 1}]`);
    }
    const cols = sizeOf(shape.slice(1));
    const out = new Float32Array(ids.length * cols);
    addon.gatherRows(table, ids, out, ids.length, cols, rows);
    return backend.makeTensorInfo([...inputs.indices.shape, ...shape.slice(1)], 'float32', out);
  },
};

export const unsortedSegmentSumKernel: NativeKernel = {
  kernelName: tf.UnsortedSegmentSum,
  native(addon, { inputs, backend, attrs }) {
    const data = f32(backend, inputs.x),
      ids = i32(backend, inputs.segmentIds);
    if (!data || !ids || ids.length === 0) return null;
    const segments = attrs.numSegments as number;
    const idRank = inputs.segmentIds.shape.length;
    const cols = sizeOf(inputs.x.shape.slice(idRank));
    const out = new Float32Array(segments * cols);
    addon.segmentSum(data, ids, out, ids.length, cols, segments);
    return backend.makeTensorInfo([segments, ...inputs.x.shape.slice(idRank)], 'float32', out);
  },
};

export const indexingKernels: NativeKernel[] = [transposeKernel, gatherKernel, unsortedSegmentSumKernel];
