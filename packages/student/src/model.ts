import * as tf from '@tensorflow/tfjs-core';

/**
 * A padded batch. Encoder-decoder: `inputIds`/`attentionMask` are the encoder side and `labels` the targets.
 * Decoder-only: `inputIds` is prompt + target, `labels` the same ids with -100 on prompt and padding (HF
 * shifts them inside the loss).
 */
export interface LmBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  labels: tf.Tensor2D;
}

/** Incremental decoding over `rows` sequences; `next` appends one token per row and returns next-token logits. */
export interface Decoding {
  readonly rows: number;
  /** Feeds `tokens` (one per row; null on the first call) and returns logits [rows * vocab]. */
  next(tokens: number[] | null): Float32Array;
  /** Keeps rows `rows` (in that order, repeats allowed): beam search reorders its beams with this. */
  select(rows: number[]): void;
  dispose(): void;
}

/**
 * A tensor's values, then the tensor disposed. Decoders read logits this way outside `tf.tidy`: returning a
 * typed array from tidy makes tfjs walk it element by element (a second per step for a 32k vocabulary).
 */
export function takeValues(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}
