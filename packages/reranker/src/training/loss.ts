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

/**
 * The reference's default reranker loss (reranker/main.py, --loss_type ce): torch's CrossEntropyLoss (mean over the
 * batch) of the scores / τ_model against the candidate the rationale's BM25 scores highest; a tie goes to the
 * first such candidate, as torch's argmax does. τ (the target temperature) plays no part: only the argmax counts.
 *
 * @param modelScores  [B, k] late-interaction scores of the question against its candidates
 * @param targetScores [B, k] BM25 scores of the rationale against the same candidates
 */
export function kardCeLoss(modelScores: tf.Tensor2D, targetScores: tf.Tensor2D, tauModel: number): tf.Scalar {
  const labels = (targetScores.arraySync() as number[][]).map((row) => row.indexOf(Math.max(...row)));
  return tf.tidy(() => {
    const logQ = tf.logSoftmax(tf.div(modelScores, tauModel), -1);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), modelScores.shape[1]);
    return tf.neg(tf.div(tf.sum(tf.mul(oneHot, logQ)), modelScores.shape[0])) as tf.Scalar;
  });
}

/** Which of the two: the reference's default `ce`, or `kl`. */
export type RerankerLoss = 'ce' | 'kl';
