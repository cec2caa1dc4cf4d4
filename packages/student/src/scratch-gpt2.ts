import { gpt2Config } from './config';
import { Gpt2LMHeadModel } from './gpt2/model';
import type { Tokenizer } from './tokenizer';

/** The size of a from-scratch GPT-2 (the rest follows from the tokenizer and GPT-2's defaults). */
export interface ScratchGpt2Options {
  /** n_embd. */
  dModel: number;
  /** n_inner: the MLP width (GPT-2 itself uses 4 * n_embd). */
  dFf: number;
  /** n_layer. */
  numLayers: number;
  /** n_head. */
  numHeads: number;
  /** Learned positions: the longest prompt + continuation the model can read. Default 1024 (GPT-2's). */
  nPositions?: number;
}

/**
 * A small GPT-2 (gelu_new MLP, tied head, no dropout) sized to the tokenizer's vocabulary, randomly initialised from
 * `seed` with GPT-2's init (N(0, 0.02), residual projections scaled by 1/sqrt(2 * layers)). BOS, EOS and pad are the
 * tokenizer's EOS and pad: with the T5 tokenizer, EOS `</s>` (1) and pad `<pad>` (0).
 */
export function createScratchGpt2(tok: Tokenizer, opts: ScratchGpt2Options, seed: number): Gpt2LMHeadModel {
  if (opts.dModel % opts.numHeads !== 0)
    throw new Error(`scratch GPT-2: dModel (${opts.dModel}) must be a multiple of numHeads (${opts.numHeads})`);
  const config = gpt2Config({
    vocabSize: tok.vocabSize,
    nPositions: opts.nPositions ?? 1024,
    nEmbd: opts.dModel,
    nLayer: opts.numLayers,
    nHead: opts.numHeads,
    nInner: opts.dFf,
    residPdrop: 0,
    embdPdrop: 0,
    attnPdrop: 0,
    bosTokenId: tok.eosTokenId,
    eosTokenId: tok.eosTokenId,
    padTokenId: tok.padTokenId,
  });
  return new Gpt2LMHeadModel(config, seed);
}
