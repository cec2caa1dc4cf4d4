import * as tf from '@tensorflow/tfjs-core';
import type { StudentTokenizer } from './tokenizer';

/** Encoder ids and (optional) target ids of one example, already tokenized. */
export interface EncodedPair {
  input: number[];
  target: number[];
  /** Target positions counted by the loss (default all); the rest become -100. */
  lossMask?: boolean[];
}

export interface Seq2SeqBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  labels: tf.Tensor2D;
}

export function encodePair(tok: StudentTokenizer, input: string, target: string, maxInput: number, maxTarget: number): EncodedPair {
  return { input: tok.encode(input, maxInput), target: tok.encode(target, maxTarget) };
}

/** Pads a batch to its longest input and target: pad id in inputs (mask 0), -100 in labels. */
export function padSeq2Seq(pairs: EncodedPair[], padId: number): Seq2SeqBatch {
  const inLen = Math.max(...pairs.map((p) => p.input.length));
  const tgtLen = Math.max(1, ...pairs.map((p) => p.target.length));
  const ids: number[][] = [];
  const mask: number[][] = [];
  const labels: number[][] = [];
  for (const p of pairs) {
    ids.push([...p.input, ...Array(inLen - p.input.length).fill(padId)]);
    mask.push([...p.input.map(() => 1), ...Array(inLen - p.input.length).fill(0)]);
    labels.push([...p.target.map((t, i) => (p.lossMask && !p.lossMask[i] ? -100 : t)), ...Array(tgtLen - p.target.length).fill(-100)]);
  }
  return {
    inputIds: tf.tensor2d(ids, [pairs.length, inLen], 'int32'),
    attentionMask: tf.tensor2d(mask, [pairs.length, inLen], 'int32'),
    labels: tf.tensor2d(labels, [pairs.length, tgtLen], 'int32'),
  };
}

export function disposeBatch(b: Seq2SeqBatch): void {
  tf.dispose([b.inputIds, b.attentionMask, b.labels]);
}
