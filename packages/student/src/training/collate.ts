import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_INDEX } from '@kard/nn';
import type { LmBatch } from '../model';
import type { TokenizedExample } from './examples';

/** Seq2seq: encoder ids right-padded with `pad`, labels right-padded with -100. */
export function collateSeq2Seq(examples: TokenizedExample[], pad: number): LmBatch {
  const s = Math.max(...examples.map((e) => e.inputIds.length));
  const t = Math.max(...examples.map((e) => e.targetIds.length));
  return tf.tidy(() => ({
    inputIds: tf.tensor2d(
      examples.map((e) => [...e.inputIds, ...new Array(s - e.inputIds.length).fill(pad)]),
      [examples.length, s],
      'int32',
    ),
    attentionMask: tf.tensor2d(
      examples.map((e) => e.inputIds.map(() => 1).concat(new Array(s - e.inputIds.length).fill(0))),
      [examples.length, s],
      'int32',
    ),
    labels: tf.tensor2d(
      examples.map((e) => [...e.targetIds, ...new Array(t - e.targetIds.length).fill(IGNORE_INDEX)]),
      [examples.length, t],
      'int32',
    ),
  }));
}

/** Causal LM: prompt + target right-padded; labels are -100 on the prompt and the padding. */
export function collateCausal(examples: TokenizedExample[], pad: number): LmBatch {
  const seqs = examples.map((e) => [...e.inputIds, ...e.targetIds]);
  const t = Math.max(...seqs.map((s) => s.length));
  return tf.tidy(() => ({
    inputIds: tf.tensor2d(
      seqs.map((s) => [...s, ...new Array(t - s.length).fill(pad)]),
      [seqs.length, t],
      'int32',
    ),
    attentionMask: tf.tensor2d(
      seqs.map((s) => s.map(() => 1).concat(new Array(t - s.length).fill(0))),
      [seqs.length, t],
      'int32',
    ),
    labels: tf.tensor2d(
      examples.map((e, i) => [
        ...e.inputIds.map(() => IGNORE_INDEX),
        ...e.targetIds,
        ...new Array(t - seqs[i].length).fill(IGNORE_INDEX),
      ]),
      [seqs.length, t],
      'int32',
    ),
  }));
}

export function disposeBatch(b: LmBatch): void {
  tf.dispose([b.inputIds, b.attentionMask, b.labels]);
}

/** Target tokens a batch's loss counts. */
export function countTargetTokens(examples: TokenizedExample[]): number {
  return examples.reduce((n, e) => n + e.targetIds.length, 0);
}
