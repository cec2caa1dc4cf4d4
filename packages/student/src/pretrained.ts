// Hugging Face model folders: config.json + (sharded) model.safetensors + generation_config.json + tokenizer files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  SafetensorsError,
  findSafetensorsFiles,
  readSafetensorsDir,
  writeSafetensorsDir,
  type NamedArray,
} from '@kard/nn';
import { HF_FLOAT_FIELDS, readJsonFile, stringifyHfConfig, writeDirAtomic } from '@kard/core';
import { configToJson, parseConfig, type ModelConfig } from './config';
import { ModelLoadError } from './errors';
import { modelFromWeights, type StudentModel } from './model-from-weights';

export { createModel, modelFromWeights, type StudentModel } from './model-from-weights';

const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'spiece.model',
  'vocab.json',
  'merges.txt',
];

export interface LoadedModel {
  model: StudentModel;
  config: ModelConfig;
  /** generation_config.json, if present. */
  generationConfig: Record<string, unknown>;
  dir: string;
}

/** Loads a Hugging Face folder; every failure is a ModelLoadError naming the offending file. */
export function fromPretrained(dir: string): LoadedModel {
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile)) throw new ModelLoadError('no config.json: not a model folder', configFile);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(`invalid JSON: ${(err as Error).message}`, configFile);
  }
  const config = parseConfig(raw, configFile);
  let files: string[] | undefined;
  let tensors: Map<string, NamedArray> | undefined;
  try {
    files = findSafetensorsFiles(dir);
    if (!files) {
      const other = ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack'].filter((f) =>
        fs.existsSync(path.join(dir, f)),
      );
      throw new ModelLoadError(
        `no model weights: expected model.safetensors or ` +
          `model.safetensors.index.json${other.length ? ` (found ${other.join(', ')}; convert to safetensors)` : ''}`,
        path.resolve(dir),
      );
    }
    tensors = readSafetensorsDir(dir)!;
  } catch (err) {
    if (err instanceof SafetensorsError) throw new ModelLoadError(err.message.slice(err.file.length + 2), err.file);
    throw err;
  }
  const weightsFile = files.length === 1 ? files[0] : path.join(dir, 'model.safetensors.index.json');
  const model = modelFromWeights(config, tensors, weightsFile);
  const genFile = path.join(dir, 'generation_config.json');
  const generationConfig = fs.existsSync(genFile) ? readJsonFile<Record<string, unknown>>(genFile) : {};
  return { model, config, generationConfig, dir };
}

/**
 * What a saved student folder is, for writeDirAtomic's ownership check. Hugging Face's files carry no mark of who
 * wrote them (a downloaded model looks the same), so the folder gets @kard/core's marker, .kard-output.json.
 */
export const STUDENT_MODEL_OWNER = { kind: 'student model' } as const;

/**
 * Writes `dir` atomically in the layout Python's `from_pretrained` reads: config.json, generation_config.json,
 * model.safetensors (or shards beyond `maxShardBytes`), and tokenizer files copied from `tokenizerDir`. An
 * existing `dir` is replaced only when empty or a student folder saved here, unless `overwrite`.
 */
export async function savePretrained(
  model: StudentModel,
  dir: string,
  opts: {
    tokenizerDir?: string;
    generationConfig?: Record<string, unknown>;
    maxShardBytes?: number;
    overwrite?: boolean;
  } = {},
): Promise<void> {
  await writeDirAtomic(dir, (tmp) => writePretrainedFiles(model, tmp, opts), {
    ...STUDENT_MODEL_OWNER,
    overwrite: opts.overwrite,
  });
}

/** The non-atomic core of savePretrained, for callers that already write into a temp folder (checkpoints). */
export function writePretrainedFiles(
  model: StudentModel,
  dir: string,
  opts: { tokenizerDir?: string; generationConfig?: Record<string, unknown>; maxShardBytes?: number } = {},
): void {
  const c = model.config;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), stringifyHfConfig(configToJson(c), HF_FLOAT_FIELDS[c.modelType]));
  const gen =
    opts.generationConfig ??
    (c.modelType === 't5'
      ? { decoder_start_token_id: c.decoderStartTokenId, eos_token_id: c.eosTokenId, pad_token_id: c.padTokenId }
      : { bos_token_id: c.bosTokenId, eos_token_id: c.eosTokenId });
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify(gen, null, 2) + '\n');
  writeSafetensorsDir(dir, model.stateDict(), { maxShardBytes: opts.maxShardBytes });
  if (opts.tokenizerDir) {
    for (const f of TOKENIZER_FILES) {
      const src = path.join(opts.tokenizerDir, f);
      if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, f));
    }
  }
}
