// @kard/reranker in a browser (or a worker): the same NeuralReranker and ensemble, put together from fetched files.
// No Node built-in; package.json "browser" swaps the folder I/O (io/save.ts, the disk embedding cache, transformers.js
// tokenizer loading) for stubs, and the app's esbuild build fails if anything else in this graph imports one.
import { parseSafetensors } from '@kard/nn';
import { parseBertConfig } from './bert/config';
import { bertEncoderFromWeights } from './bert/weights';
import {
  checkRerankerConfig,
  rerankerFromWeights,
  type PeftLoraConfig,
  type RerankerConfigFile,
} from './io/from-weights';
import { NeuralReranker, type NeuralRerankerOptions } from './inference/neural-reranker';
import { BertTokenizer } from './tokenizer';

export * from './portable';
export { parseBertConfig } from './bert/config';
export { bertEncoderFromWeights } from './bert/weights';
export {
  checkRerankerConfig,
  rerankerFromWeights,
  type PeftLoraConfig,
  type RerankerConfigFile,
} from './io/from-weights';

/** The files of one saved reranker folder, fetched: JSON parsed, safetensors as bytes. */
export interface RerankerFiles {
  /** reranker_config.json */
  config: RerankerConfigFile;
  /** adapter_model.safetensors */
  adapter: Uint8Array;
  /** adapter_config.json (LoRA mode only) */
  adapterConfig?: PeftLoraConfig;
  /** The encoder's (full mode) or base model's config.json and model.safetensors. */
  encoderConfig: Record<string, unknown>;
  encoderWeights: Uint8Array;
  /** tokenizer/tokenizer.json and tokenizer/tokenizer_config.json */
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/**
 * A NeuralReranker from a saved folder's files, `where` (e.g. the folder's URL) naming them in errors: the same
 * checks as `NeuralReranker.load`. Its passage-embedding cache lives in memory.
 */
export function rerankerFromFiles(
  files: RerankerFiles,
  where: string,
  options: Omit<NeuralRerankerOptions, 'cacheDir'> = {},
): NeuralReranker {
  const configFile = `${where}/reranker_config.json`;
  const cfg = checkRerankerConfig(files.config, configFile);
  const base = `${where}/encoder`;
  const bert = parseBertConfig(files.encoderConfig, `${base}/config.json`);
  const weights = parseSafetensors(files.encoderWeights, `${base}/model.safetensors`).tensors;
  const encoder = bertEncoderFromWeights(bert, weights, base, { trainable: false });
  const adapterFile = `${where}/adapter_model.safetensors`;
  const adapter = parseSafetensors(files.adapter, adapterFile).tensors;
  const model = rerankerFromWeights(cfg, encoder, adapter, files.adapterConfig, {
    config: configFile,
    adapter: adapterFile,
    base,
  });
  const tokenizer = BertTokenizer.fromJson(files.tokenizer, files.tokenizerConfig, `${where}/tokenizer`);
  return new NeuralReranker(model, tokenizer, options);
}
