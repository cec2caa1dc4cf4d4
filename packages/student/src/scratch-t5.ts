import { t5Config } from './config';
import { T5ForConditionalGeneration } from './t5/model';
import type { Tokenizer } from './tokenizer';

/** The size of a from-scratch T5 (the rest follows from the tokenizer and T5's defaults). */
export interface ScratchT5Options {
  dModel: number;
  dFf: number;
  numLayers: number;
  numHeads: number;
}

/**
 * A small T5 (gated-GELU feed-forward, tied head, no dropout) sized to the tokenizer's vocabulary, randomly
 * initialised from `seed`: d_kv = d_model / heads, as many decoder as encoder layers, pad and EOS from the tokenizer.
 */
export function createScratchT5(tok: Tokenizer, opts: ScratchT5Options, seed: number): T5ForConditionalGeneration {
  const config = t5Config({
    vocabSize: tok.vocabSize,
    dModel: opts.dModel,
    dKv: Math.max(1, Math.floor(opts.dModel / opts.numHeads)),
    dFf: opts.dFf,
    numLayers: opts.numLayers,
    numDecoderLayers: opts.numLayers,
    numHeads: opts.numHeads,
    dropoutRate: 0,
    feedForwardProj: 'gated-gelu',
    // v1.0-style tied head (rescaled by d_model^-0.5): a sane initial loss, half the embedding weights
    tieWordEmbeddings: true,
    padTokenId: tok.padTokenId,
    eosTokenId: tok.eosTokenId,
    decoderStartTokenId: tok.padTokenId,
  });
  return new T5ForConditionalGeneration(config, seed);
}
