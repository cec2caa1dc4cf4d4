import * as tf from '@tensorflow/tfjs-core';

/**
 * KARD's reranker loss: KL(P_target ‖ P_model) averaged over the batch (PyTorch KLDivLoss, reduction 'batchmean'),
 * with P_target = softmax(BM25(rationale, d) / τ) and log P_model = log_softmax(score(question, d) / τ_model),
 * both over each question's k sampled candidates.
 *
 * @param modelScores  [B, k] late-interaction scores of the question against its candidates
 * @param targetScores [B, k] BM25 scores of the rationale against the same candidates
 */
export function kardKlLoss(
  modelScores: tf.Tensor2D,
  targetScores: tf.Tensor2D,
  tau: number,
  tauModel: number,
): tf.Scalar {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(targetScores, tau), -1);
    const logQ = tf.logSoftmax(tf.div(modelScores, tauModel), -1);
    const kl = tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)));
    return tf.div(kl, modelScores.shape[0]) as tf.Scalar;
  });
}
