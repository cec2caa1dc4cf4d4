import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@kard/core';
import type { StudentModel } from '../pretrained';
import { beamSearch } from './beam';
import { logSoftmax, resolveOptions, type GenerateOptions, type GeneratedSequence } from './options';
import { sampleToken } from './sampling';
import { bannedNgramTokens } from './ngram';

/** Pads token-id rows into a batch: right padding for encoders, left padding for decoder-only prompts. */
export function padBatch(rows: number[][], pad: number, side: 'left' | 'right'): { ids: number[][]; mask: number[][] } {
  const len = Math.max(1, ...rows.map((r) => r.length));
  const ids = rows.map((r) => {
    const fill = new Array(len - r.length).fill(pad);
    return side === 'right' ? [...r, ...fill] : [...fill, ...r];
  });
  const mask = rows.map((r) => {
    const ones = new Array(r.length).fill(1);
    const zeros = new Array(len - r.length).fill(0);
    return side === 'right' ? [...ones, ...zeros] : [...zeros, ...ones];
  });
  return { ids, mask };
}

/**
 * Generates continuations for each input (token ids, EOS included for T5 as the tokenizer adds it; a decoder-only
 * prompt as encodePrompt makes it). Returns, per input, `numReturnSequences` sequences of new tokens. A decoder-only
 * model stops at its last position (n_positions) even before `maxNewTokens`.
 */
export function generate(
  model: StudentModel,
  inputs: number[][],
  options: GenerateOptions = {},
): GeneratedSequence[][] {
  const o = resolveOptions(options);
  const cfg = model.config;
  const eos = cfg.eosTokenId;
  const pad = cfg.padTokenId;
  const vocab = cfg.vocabSize;
  if (o.numBeams > 1 && o.doSample)
    throw new Error('beam sampling is not supported: use numBeams > 1 or doSample, not both');
  if (o.numBeams > 1 && o.numReturnSequences > o.numBeams)
    throw new Error(`numReturnSequences (${o.numReturnSequences}) must be <= numBeams (${o.numBeams})`);
  if (!o.doSample && o.numBeams === 1 && o.numReturnSequences > 1)
    throw new Error('greedy search returns one sequence: set doSample or numBeams');
  const { ids, mask } = padBatch(inputs, pad, cfg.modelType === 't5' ? 'right' : 'left');
  if (cfg.modelType === 'gpt2') {
    // A decoder-only model reads prompt and continuation in its n_positions learned positions: stop where they end.
    const room = cfg.nPositions - ids[0].length;
    if (room < 1)
      throw new Error(`prompt of ${ids[0].length} tokens leaves no room in the model's ${cfg.nPositions} positions`);
    o.maxNewTokens = Math.min(o.maxNewTokens, room);
  }
  const idsT = tf.tensor2d(ids, undefined, 'int32');
  const maskT = tf.tensor2d(mask, undefined, 'int32');
  const expand = o.numBeams > 1 ? o.numBeams : o.numReturnSequences;
  const dec = model.startDecoding(idsT, maskT, { expand, useCache: o.useCache });
  tf.dispose([idsT, maskT]);
  // What HF's n-gram ban sees before the generated tokens: the decoder start token, or a decoder-only prompt.
  const prefix = (row: number): number[] =>
    cfg.modelType === 't5' ? [cfg.decoderStartTokenId] : inputs[Math.floor(row / expand)];
  try {
    if (o.numBeams > 1) {
      return beamSearch(dec, inputs.length, vocab, { ...o, eosTokenId: eos, padTokenId: pad, prefix });
    }
    const rng = new Rng(o.seed);
    const rows = dec.rows;
    const out: GeneratedSequence[] = Array.from({ length: rows }, () => ({ tokens: [], score: 0 }));
    const finished = new Array<boolean>(rows).fill(false);
    let feed: number[] | null = null;
    for (let step = 0; step < o.maxNewTokens && !finished.every(Boolean); step++) {
      const logits = dec.next(feed);
      feed = [];
      for (let r = 0; r < rows; r++) {
        if (finished[r]) {
          feed.push(pad);
          continue;
        }
        if (o.noRepeatNgramSize > 0)
          for (const t of bannedNgramTokens([...prefix(r), ...out[r].tokens], o.noRepeatNgramSize))
            logits[r * vocab + t] = -Infinity;
        let tok: number;
        if (o.doSample) {
          tok = sampleToken(logits, r * vocab, vocab, o, rng);
        } else {
          tok = 0;
          for (let t = 1; t < vocab; t++) if (logits[r * vocab + t] > logits[r * vocab + tok]) tok = t;
        }
        out[r].tokens.push(tok);
        o.onToken(r, tok);
        out[r].score += logSoftmax(logits, r * vocab, vocab)[tok];
        if (tok === eos) finished[r] = true;
        feed.push(tok);
      }
    }
    return inputs.map((_, b) => out.slice(b * expand, (b + 1) * expand));
  } finally {
    dec.dispose();
  }
}
