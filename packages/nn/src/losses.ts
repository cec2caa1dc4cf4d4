import * as tf from '@tensorflow/tfjs-core';
import './autodiff';
import { fusedSoftmaxCrossEntropy, hasFusedSoftmaxCrossEntropy } from './backend/softmax-cross-entropy';

export const IGNORE_INDEX = -100;

/**
 * Cross-entropy with labels equal to `ignoreIndex` skipped, as torch.nn.CrossEntropyLoss(ignore_index=-100):
 * logits [..., V], labels [...] (int32). Returns the mean over counted tokens (`reduction: 'mean'`), the sum,
 * or the per-token losses (zero at ignored positions) with `reduction: 'none'`. 'mean' and 'sum' run as one
 * fused kernel where the backend has it (cpu, native-cpu): the [N, V] softmax is never materialised.
 */
export function crossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  opts: { ignoreIndex?: number; reduction?: 'mean' | 'sum' | 'none' } = {},
): tf.Tensor {
  const ignore = opts.ignoreIndex ?? IGNORE_INDEX;
  return tf.tidy(() => {
    const v = logits.shape[logits.shape.length - 1];
    const flat = tf.reshape(logits, [-1, v]);
    if (opts.reduction !== 'none' && hasFusedSoftmaxCrossEntropy()) {
      const lab = tf.reshape(labels, [-1]) as tf.Tensor1D;
      let count = 0;
      for (const y of lab.dataSync()) if (y !== ignore) count++;
      // With nothing counted the fused mean is 0/0; the op path below returns 0 as documented.
      if (count > 0) {
        const mean = fusedSoftmaxCrossEntropy(flat as tf.Tensor2D, lab, ignore);
        return opts.reduction === 'sum' ? tf.mul(mean, count) : mean;
      }
    }
    const n = flat.shape[0];
    const lab = tf.cast(tf.reshape(labels, [-1]), 'int32');
    const mask = tf.cast(tf.notEqual(lab, ignore), 'float32');
    const safe = tf.where(tf.notEqual(lab, ignore), lab, tf.zerosLike(lab));
    const lse = tf.logSumExp(flat, -1);
    const picked = tf.gather(
      tf.reshape(flat, [-1]),
      tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), safe),
    );
    const nll = tf.mul(tf.sub(lse, picked), mask);
    if (opts.reduction === 'none') return tf.reshape(nll, labels.shape);
    const sum = tf.sum(nll);
    if (opts.reduction === 'sum') return sum;
    return tf.div(sum, tf.maximum(tf.sum(mask), 1));
  });
}
