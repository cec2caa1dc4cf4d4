import * as path from 'node:path';
import { createModel, fromPretrained, savePretrained, t5Config, type StudentModel } from '@kard/student';
import { downloadFromHub, isHubId } from './hub';
import { loadStudentTokenizer, type StudentTokenizer } from './tokenizer';

export interface ScratchT5Options {
  dModel: number;
  dFf: number;
  numLayers: number;
  numHeads: number;
}

/** A small T5 (gated-GELU feed-forward, tied head) sized to the tokenizer's vocabulary, randomly initialised. */
export function createScratchT5(tok: StudentTokenizer, opts: ScratchT5Options, seed: number): StudentModel {
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
    tieWordEmbeddings: true, // v1.0-style tied head (rescaled by d_model^-0.5): a sane initial loss, half the embedding weights
    padTokenId: tok.padId,
    eosTokenId: tok.eosId,
    decoderStartTokenId: tok.padId,
  });
  return createModel(config, seed);
}

export interface StudentSource {
  /** 'scratch', a local model folder or a Hub id. */
  model: string;
  /** Tokenizer folder for 'scratch' (a loaded folder brings its own). */
  tokenizer: string;
  scratch: ScratchT5Options;
  seed: number;
}

/** The student to fine-tune and its tokenizer: a fresh small T5, a local folder, or a Hub download. */
export async function openStudent(src: StudentSource): Promise<{ model: StudentModel; tokenizer: StudentTokenizer; origin: string }> {
  if (src.model === 'scratch') {
    const tokenizer = await loadStudentTokenizer(path.resolve(src.tokenizer));
    return { model: createScratchT5(tokenizer, src.scratch, src.seed), tokenizer, origin: `scratch T5 from ${src.tokenizer}` };
  }
  const dir = isHubId(src.model) ? await downloadFromHub(src.model) : path.resolve(src.model);
  const loaded = fromPretrained(dir);
  return { model: loaded.model, tokenizer: await loadStudentTokenizer(dir), origin: dir };
}

/** A trained student folder (written by `saveStudent`). */
export async function loadStudent(dir: string): Promise<{ model: StudentModel; tokenizer: StudentTokenizer }> {
  const loaded = fromPretrained(dir);
  return { model: loaded.model, tokenizer: await loadStudentTokenizer(dir) };
}

export async function saveStudent(model: StudentModel, tok: StudentTokenizer, dir: string): Promise<void> {
  await savePretrained(model, dir, { tokenizerDir: tok.dir });
}
