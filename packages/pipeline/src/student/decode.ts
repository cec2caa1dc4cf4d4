// Decoding through @kard/student's generate (batched, encoder run once, decoder keys/values cached), plus
// teacher-forced scoring.
import * as tf from '@tensorflow/tfjs-core';
import { generate, type StudentModel } from '@kard/student';
import { disposeBatch, padSeq2Seq, type EncodedPair, type Seq2SeqBatch } from './seq2seq-batch';

/** What teacher-forced scoring needs of a model (@kard/student's T5 fits). */
export interface DecodableSeq2Seq {
  tokenLosses(batch: Seq2SeqBatch): tf.Tensor;
}

export interface DecodeOptions {
  maxNewTokens: number;
  eosId: number;
  /** Samples per input (rows are input-major: input 0's samples first). Default 1. */
  samples?: number;
  /** 0 (default) decodes greedily; > 0 samples from softmax(logits / temperature) over the whole vocabulary. */
  temperature?: number;
  /** Seeds sampling. Default 0. */
  seed?: number;
  /** Never repeat an n-gram (Hugging Face's no_repeat_ngram_size); 0 = off. */
  noRepeatNgramSize?: number;
}

/** Generated token ids (without the closing </s>) for each input x sample. */
export function decode(model: StudentModel, inputs: number[][], opts: DecodeOptions): number[][] {
  const samples = opts.samples ?? 1;
  const temperature = opts.temperature ?? 0;
  const sampled = temperature > 0;
  const out = generate(model, inputs, {
    maxNewTokens: opts.maxNewTokens, numReturnSequences: samples, doSample: sampled, temperature: sampled ? temperature : 1,
    topK: 0, seed: opts.seed ?? 0, noRepeatNgramSize: opts.noRepeatNgramSize ?? 0,
  });
  return out.flatMap((seqs) => seqs.map((s) => (s.tokens[s.tokens.length - 1] === opts.eosId ? s.tokens.slice(0, -1) : s.tokens)));
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
