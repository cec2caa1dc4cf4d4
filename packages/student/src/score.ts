import * as tf from '@tensorflow/tfjs-core';
import type { StudentModel } from './pretrained';
import { collateCausal, collateSeq2Seq, disposeBatch } from './training/collate';
import type { TokenizedExample } from './training/examples';

export interface ExampleScore {
  id: string;
  /** Mean negative log-likelihood of the target tokens (HF's loss for this example alone). */
  loss: number;
  /** Target tokens counted. */
  tokens: number;
}

/** Teacher-forced mean target-token NLL per example, batched (padding never changes a row's result). */
export function scoreExamples(model: StudentModel, examples: TokenizedExample[], batchSize = 8): ExampleScore[] {
  const out: ExampleScore[] = [];
  const causal = model.config.modelType === 'gpt2';
  for (let i = 0; i < examples.length; i += batchSize) {
    const chunk = examples.slice(i, i + batchSize);
    const batch = (causal ? collateCausal : collateSeq2Seq)(chunk, model.config.padTokenId);
    const losses = tf.tidy(() => model.tokenLosses(batch).arraySync() as number[][]);
    const labels = (causal ? tf.tidy(() => tf.slice(batch.labels, [0, 1], [-1, -1]).arraySync()) : batch.labels.arraySync()) as number[][];
    chunk.forEach((e, r) => {
      let sum = 0;
      let n = 0;
      labels[r].forEach((l, t) => { if (l !== -100) { sum += losses[r][t]; n++; } });
      out.push({ id: e.id, loss: n ? sum / n : NaN, tokens: n });
    });
    disposeBatch(batch);
  }
  return out;
}
