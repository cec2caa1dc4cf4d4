import * as tf from '@tensorflow/tfjs-core';

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
    const best = tf.max(tf.where(dKeep, sim, tf.fill([B, Lq, k, Ld], -1e30)), 3); // [B, Lq, k]
    const qKeep = tf.broadcastTo(tf.reshape(tf.cast(qMask, 'bool'), [B, Lq, 1]), [B, Lq, k]);
    const masked = tf.where(qKeep, best, tf.zerosLike(best));
    return tf.sum(masked, 1) as tf.Tensor2D;
  });
}
