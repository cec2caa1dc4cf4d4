// @kard/student in a browser (or a worker): the models, generation and the tokenizer, loaded from fetched bytes.
// No Node built-in; the app's esbuild build fails if anything in this graph imports one.
import { parseSafetensors, SafetensorsError } from '@kard/nn';
import { parseConfig, type ModelConfig } from './config';
import { ModelLoadError } from './errors';
import { modelFromWeights, type StudentModel } from './model-from-weights';
import type { Tokenizer } from './tokenizer';
import { tokenizerFromJson } from './tokenizer-json';

export { ModelLoadError } from './errors';
export { type T5Config, type Gpt2Config, type ModelConfig, parseConfig } from './config';
export { T5ForConditionalGeneration } from './t5/model';
export { Gpt2LMHeadModel } from './gpt2/model';
export { createModel, modelFromWeights, type StudentModel } from './model-from-weights';
export { generate, type GenerateOptions, type GeneratedSequence } from './generation';
export type { Tokenizer } from './tokenizer';
export { tokenizerFromJson, wrapTokenizer, type TokenizerCore } from './tokenizer-json';

/** The files of a Hugging Face student folder, fetched: JSON parsed, model.safetensors as bytes. */
export interface StudentFiles {
  config: Record<string, unknown>;
  /** model.safetensors (one file; a sharded checkpoint is merged by the exporter). */
  weights: Uint8Array;
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/**
 * A student from its folder's files, `where` (e.g. the folder's URL) naming them in errors: the same config parsing
 * and weight checks as `loadStudent`, each failure a ModelLoadError naming the file.
 */
export function studentFromFiles(
  files: StudentFiles,
  where: string,
): { model: StudentModel; config: ModelConfig; tokenizer: Tokenizer } {
  const config = parseConfig(files.config, `${where}/config.json`);
  const weightsFile = `${where}/model.safetensors`;
  let tensors;
  try {
    tensors = parseSafetensors(files.weights, weightsFile).tensors;
  } catch (err) {
    if (err instanceof SafetensorsError) throw new ModelLoadError(err.message.slice(err.file.length + 2), err.file);
    throw err;
  }
  const model = modelFromWeights(config, tensors, weightsFile);
  return { model, config, tokenizer: tokenizerFromJson(files.tokenizer, files.tokenizerConfig, where) };
}
