import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX } from '@kard/nn';
import type { StudentModel } from './pretrained';
import { collateCausal, collateSeq2Seq, disposeBatch } from './training/collate';
import type { TokenizedExample } from './training/examples';

/** An example to score; `lossMask` picks the target positions counted (default all). */
export interface ScoredExample extends TokenizedExample {
  /** One flag per target token; false positions are left out of the sum (they still feed the decoder). */
  lossMask?: boolean[];
}

export interface ExampleScore {
  id: string;
  /** Mean negative log-likelihood of the counted target tokens (HF's loss for this example alone). */
  loss: number;
  /** Summed negative log-likelihood of the counted target tokens. */
  totalLoss: number;
  /** Target tokens counted. */
  tokens: number;
}

/**
 * Teacher-forced NLL of each example's target tokens, batched (padding never changes a row's result), in input
 * order. The mask multiplies the per-token losses, not the labels: T5 feeds the labels shifted right as decoder
 * input (with -100 turned into pad), so masking a prefix through the labels would hide it from the decoder.
 */
export function scoreExamples(model: StudentModel, examples: ScoredExample[], batchSize = 8): ExampleScore[] {
  const out: ExampleScore[] = [];
  const causal = model.config.modelType === 'gpt2';
  // GPT-2's per-token losses are aligned with labels[:, 1:]; a target starts after its prompt
  const shift = causal ? 1 : 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const chunk = examples.slice(i, i + batchSize);
    const batch = (causal ? collateCausal : collateSeq2Seq)(chunk, model.config.padTokenId);
    const labels = batch.labels.arraySync() as number[][];
    const width = batch.labels.shape[1] - shift;
    const mask = chunk.map((e, r) =>
      Array.from({ length: width }, (_, t) => {
        const k = t + shift - (causal ? e.inputIds.length : 0);
        return labels[r][t + shift] !== IGNORE_INDEX && (!e.lossMask || e.lossMask[k]) ? 1 : 0;
      }),
    );
    const sums = tf.tidy(
      () =>
        tf.sum(tf.mul(model.tokenLosses(batch), tf.tensor2d(mask, [chunk.length, width])), 1).arraySync() as number[],
    );
    disposeBatch(batch);
    chunk.forEach((e, r) => {
      const tokens = mask[r].reduce((n: number, m) => n + m, 0);
      out.push({ id: e.id, loss: tokens ? sums[r] / tokens : NaN, totalLoss: sums[r], tokens });
    });
  }
  return out;
}
