import * as tf from '@tensorflow/tfjs-core';

/**
 * Max over the last axis, with a gradient that scatters `dy` to each row's arg-max. Same values and (without ties)
 * same gradient as `tf.max(x, -1)`, whose own gradient compares and multiplies through the whole broadcast input:
 * 3.7 s instead of milliseconds for the 8.6 M similarities of an inverse-cloze batch on the CPU backends.
 */
export const maxLastAxis: (x: tf.Tensor) => tf.Tensor = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const n = x.shape[x.rank - 1];
  const rows = x.size / n;
  const x2 = tf.reshape(x, [rows, n]);
  const arg = tf.argMax(x2, 1);
  save([arg]);
  return {
    value: tf.reshape(tf.max(x2, 1), x.shape.slice(0, -1)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const flat = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(n, 'int32')), tf.cast(saved[0], 'int32'));
      return tf.reshape(tf.sparseToDense(flat, tf.reshape(dy, [rows]), [rows * n]), x.shape);
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/**
 * ColBERT's late interaction with dot products (as KARD uses it): for each query and each of its candidates,
 * score = Σ over unmasked query tokens of max over unmasked passage tokens of ⟨q_i, d_j⟩.
 *
 * @param q     query token vectors [B, Lq, D]
 * @param qMask [B, Lq], 1 for real tokens
 * @param d     passage token vectors [B, k, Ld, D] (k candidates per query)
 * @param dMask [B, k, Ld]
 * @returns     scores [B, k]
 */
export function lateInteraction(q: tf.Tensor3D, qMask: tf.Tensor2D, d: tf.Tensor4D, dMask: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, Lq, D] = q.shape;
    const [, k, Ld] = d.shape;
    const sim = tf.reshape(tf.matMul(q, tf.reshape(d, [B, k * Ld, D]), false, true), [B, Lq, k, Ld]);
    // Padding passage tokens can never be the max, and padding query tokens add nothing, whatever their vectors.
    const dKeep = tf.broadcastTo(tf.reshape(tf.cast(dMask, 'bool'), [B, 1, k, Ld]), [B, Lq, k, Ld]);
    const best = maxLastAxis(tf.where(dKeep, sim, tf.fill([B, Lq, k, Ld], -1e30))) as tf.Tensor3D; // [B, Lq, k]
    const qKeep = tf.broadcastTo(tf.reshape(tf.cast(qMask, 'bool'), [B, Lq, 1]), [B, Lq, k]);
    const masked = tf.where(qKeep, best, tf.zerosLike(best));
    return tf.sum(masked, 1) as tf.Tensor2D;
  });
}

/**
 * Late interaction of every query against every passage (in-batch negatives): scores [Bq, Bd] with the same
 * definition as {@link lateInteraction}. One [Bq·Lq, Bd·Ld] product and an additive mask, instead of tiling the
 * passages once per query: the inverse-cloze pre-training's batch is all-pairs, and this keeps it cheap on CPUs.
 *
 * @param q     query token vectors [Bq, Lq, D]
 * @param qMask [Bq, Lq]
 * @param d     passage token vectors [Bd, Ld, D]
 * @param dMask [Bd, Ld]
 */
export function lateInteractionAllPairs(
  q: tf.Tensor3D,
  qMask: tf.Tensor2D,
  d: tf.Tensor3D,
  dMask: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [Bq, Lq, D] = q.shape;
    const [Bd, Ld] = d.shape;
    const sim = tf.matMul(tf.reshape(q, [Bq * Lq, D]), tf.reshape(d, [Bd * Ld, D]), false, true); // [Bq·Lq, Bd·Ld]
    // padding passage tokens get −1e30 added, so they are never the max (a real token's product is always larger)
    const pad = tf.mul(tf.sub(1, tf.cast(tf.reshape(dMask, [1, Bd * Ld]), 'float32')), -1e30);
    const best = maxLastAxis(tf.reshape(tf.add(sim, pad), [Bq * Lq, Bd, Ld])); // [Bq·Lq, Bd]
    const kept = tf.mul(best, tf.cast(tf.reshape(qMask, [Bq * Lq, 1]), 'float32'));
    return tf.sum(tf.reshape(kept, [Bq, Lq, Bd]), 1) as tf.Tensor2D;
  });
}
