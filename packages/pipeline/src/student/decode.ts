// Greedy and sampled decoding on @kard/student's incremental decoder (KV cache), plus teacher-forced scoring.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@kard/nn';
import { disposeBatch, padSeq2Seq, type EncodedPair, type Seq2SeqBatch } from './seq2seq-batch';

/** @kard/student's Decoding. */
export interface DecodingLike {
  readonly rows: number;
  next(tokens: number[] | null): Float32Array;
  dispose(): void;
}

export interface DecodableSeq2Seq {
  startDecoding(inputIds: tf.Tensor, attentionMask: tf.Tensor, opts?: { expand?: number; useCache?: boolean }): DecodingLike;
  tokenLosses(batch: Seq2SeqBatch): tf.Tensor;
}

export interface DecodeOptions {
  maxNewTokens: number;
  eosId: number;
  padId: number;
  /** Samples per input (rows are input-major: input 0's samples first). Default 1. */
  samples?: number;
  /** 0 (default) decodes greedily; > 0 samples from softmax(logits / temperature). */
  temperature?: number;
  rng?: Rng;
}

function argmax(logits: Float32Array, off: number, v: number): number {
  let best = 0;
  for (let j = 1; j < v; j++) if (logits[off + j] > logits[off + best]) best = j;
  return best;
}

function sample(logits: Float32Array, off: number, v: number, temperature: number, rng: Rng): number {
  let max = -Infinity;
  for (let j = 0; j < v; j++) max = Math.max(max, logits[off + j]);
  let total = 0;
  const p = new Float64Array(v);
  for (let j = 0; j < v; j++) total += p[j] = Math.exp((logits[off + j] - max) / temperature);
  let u = rng.uniform() * total;
  for (let j = 0; j < v; j++) if ((u -= p[j]) <= 0) return j;
  return v - 1;
}

/** Generated token ids (without the closing </s>) for each input x sample. */
export function decode(model: DecodableSeq2Seq, inputs: number[][], opts: DecodeOptions): number[][] {
  const samples = opts.samples ?? 1;
  const temperature = opts.temperature ?? 0;
  const rng = opts.rng ?? new Rng(0);
  const batch = padSeq2Seq(inputs.map((input) => ({ input, target: [] })), opts.padId);
  const dec = model.startDecoding(batch.inputIds, batch.attentionMask, { expand: samples, useCache: true });
  disposeBatch(batch);
  const rows = dec.rows;
  const out: number[][] = Array.from({ length: rows }, () => []);
  const finished = new Array<boolean>(rows).fill(false);
  let tokens: number[] | null = null;
  try {
    for (let t = 0; t < opts.maxNewTokens && finished.includes(false); t++) {
      const logits = dec.next(tokens);
      const v = logits.length / rows;
      tokens = [];
      for (let r = 0; r < rows; r++) {
        const id = finished[r] ? opts.padId : temperature > 0 ? sample(logits, r * v, v, temperature, rng) : argmax(logits, r * v, v);
        tokens.push(id);
        if (finished[r]) continue;
        if (id === opts.eosId) finished[r] = true;
        else out[r].push(id);
      }
    }
  } finally {
    dec.dispose();
  }
  return out;
}

/** Mean per-token NLL over the counted target tokens of all pairs (teacher forcing). */
export function meanTokenLoss(model: DecodableSeq2Seq, pairs: EncodedPair[], padId: number, batchSize = 16): { loss: number; tokens: number } {
  const sum = sequenceLosses(model, pairs, padId, batchSize).reduce((a, b) => a + b, 0);
  const tokens = pairs.reduce((n, p) => n + (p.lossMask ? p.lossMask.filter(Boolean).length : p.target.length), 0);
  return { loss: tokens ? sum / tokens : NaN, tokens };
}

/**
 * Summed NLL of each pair's counted target tokens (teacher forcing), in input order. The mask is applied to the
 * per-token losses, not as -100 labels: T5 feeds the labels shifted right as decoder input (with -100 turned
 * into pad), so masking a prefix through the labels would hide it from the decoder.
 */
export function sequenceLosses(model: DecodableSeq2Seq, pairs: EncodedPair[], padId: number, batchSize = 16): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs.length; i += batchSize) {
    const chunk = pairs.slice(i, i + batchSize);
    const batch = padSeq2Seq(chunk.map((p) => ({ input: p.input, target: p.target })), padId);
    const width = batch.labels.shape[1];
    const mask = chunk.map((p) => Array.from({ length: width }, (_, t) => (t < p.target.length && (!p.lossMask || p.lossMask[t]) ? 1 : 0)));
    const sums = tf.tidy(() => tf.sum(tf.mul(model.tokenLosses(batch), tf.tensor2d(mask, [chunk.length, width])), 1).arraySync() as number[]);
    disposeBatch(batch);
    out.push(...sums);
  }
  return out;
}
