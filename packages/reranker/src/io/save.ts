// A trained reranker folder: the head (compressor) and LoRA adapters under PEFT's names, separate from the base.
//
//   reranker_config.json    what was trained and on which base
//   adapter_config.json     PEFT LoraConfig (LoRA mode only)
//   adapter_model.safetensors  base_model.model.compressor.* and base_model.model.bert.…lora_A/B.weight
//   encoder/                a whole BertModel folder (config.json, model.safetensors) when the encoder itself trained
//   tokenizer/              copy of the tokenizer files
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type ArrayToWrite } from '@kard/nn';
import { HF_FLOAT_FIELDS, readJsonFile, stringifyHfConfig, writeDirAtomic, writeFileAtomic } from '@kard/core';
import { loadBertEncoder } from '../bert/checkpoint';
import type { ColbertModel } from '../colbert/model';
import {
  checkRerankerConfig,
  PEFT_PREFIX,
  rerankerFromWeights,
  RerankerLoadError,
  type PeftLoraConfig,
  type RerankerConfigFile,
} from './from-weights';

export { RerankerLoadError, type RerankerConfigFile } from './from-weights';
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json'];

function toArrays(tensors: Record<string, tf.Tensor>, prefix = ''): Map<string, ArrayToWrite> {
  const out = new Map<string, ArrayToWrite>();
  for (const [name, t] of Object.entries(tensors))
    out.set(prefix + name, { shape: t.shape, values: t.dataSync() as Float32Array });
  return out;
}

/** Writes the reranker files into an existing folder (no atomicity: see {@link saveReranker}). */
export function writeRerankerFiles(
  model: ColbertModel,
  dir: string,
  opts: { baseModel?: string; tokenizerDir?: string },
): void {
  const enc = model.encoder;
  const full = [...enc.params.values()].some((v) => v.trainable);
  const mode: RerankerConfigFile['mode'] = full ? 'full' : enc.lora ? 'lora' : 'head';
  if (!full && !opts.baseModel)
    throw new Error('saving a LoRA/head reranker needs `baseModel`, the folder its frozen encoder came from');
  const head: Record<string, tf.Tensor> = {
    'compressor.weight': model.compressor.weight,
    'compressor.bias': model.compressor.bias,
  };
  if (enc.lora) for (const [n, t] of Object.entries(enc.lora.namedTensors())) head[`bert.${n}`] = t;
  if (model.mix) Object.assign(head, { 'mix.weight': model.mix.weight, 'mix.prior': model.mix.prior });
  writeSafetensors(path.join(dir, 'adapter_model.safetensors'), toArrays(head, PEFT_PREFIX));
  if (enc.lora) {
    const c = enc.lora.config;
    const peft = {
      peft_type: 'LORA',
      r: c.r,
      lora_alpha: c.alpha,
      lora_dropout: c.dropout,
      target_modules: c.targetModules,
      modules_to_save: ['compressor'],
      bias: 'none',
      base_model_name_or_path: opts.baseModel ?? null,
      inference_mode: true,
    };
    writeFileAtomic(path.join(dir, 'adapter_config.json'), JSON.stringify(peft, null, 2) + '\n');
  }
  if (full) {
    fs.mkdirSync(path.join(dir, 'encoder'), { recursive: true });
    writeSafetensors(path.join(dir, 'encoder', 'model.safetensors'), toArrays(enc.namedTensors()));
    const config = { architectures: ['BertModel'], model_type: 'bert', ...enc.config };
    writeFileAtomic(path.join(dir, 'encoder', 'config.json'), stringifyHfConfig(config, HF_FLOAT_FIELDS.bert));
  }
  if (opts.tokenizerDir) {
    fs.mkdirSync(path.join(dir, 'tokenizer'), { recursive: true });
    for (const f of TOKENIZER_FILES) {
      const src = path.join(opts.tokenizerDir, f);
      if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, 'tokenizer', f));
    }
  }
  const cfg: RerankerConfigFile = {
    format: 'kard-reranker',
    version: 1,
    mode,
    base_model: full ? 'encoder' : opts.baseModel!,
    hidden_size: model.hiddenSize,
    compression_dim: model.options.compressionDim,
    query_max_length: model.options.queryMaxLength,
    passage_max_length: model.options.passageMaxLength,
    hybrid: model.options.hybrid,
  };
  writeFileAtomic(path.join(dir, 'reranker_config.json'), JSON.stringify(cfg, null, 2) + '\n');
}

/**
 * What a saved reranker folder is, for writeDirAtomic's ownership check: one reranker (reranker_config.json) or an
 * ensemble (ensemble.json), either replacing the other.
 */
export const RERANKER_OWNER = {
  kind: 'reranker folder',
  manifest: ['reranker_config.json', 'ensemble.json'],
  format: ['kard-reranker', 'kard-reranker-ensemble'],
} as const;

/**
 * Saves atomically: the folder is replaced only once every file is written, and only when it is empty or a
 * reranker folder, unless `overwrite`.
 */
export async function saveReranker(
  model: ColbertModel,
  dir: string,
  opts: { baseModel?: string; tokenizerDir?: string; overwrite?: boolean } = {},
): Promise<void> {
  await writeDirAtomic(dir, (tmp) => writeRerankerFiles(model, tmp, opts), {
    ...RERANKER_OWNER,
    overwrite: opts.overwrite,
  });
}

export function readRerankerConfig(dir: string): RerankerConfigFile {
  const file = path.join(dir, 'reranker_config.json');
  let cfg: RerankerConfigFile;
  try {
    cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RerankerLoadError(`cannot read: ${(err as Error).message}`, file);
  }
  return checkRerankerConfig(cfg, file);
}

/**
 * Loads a saved reranker. `baseModel` overrides the recorded base folder (e.g. after moving it); it must have the
 * hidden size the head was trained on.
 */
export function loadReranker(dir: string, opts: { baseModel?: string } = {}): ColbertModel {
  const cfg = readRerankerConfig(dir);
  const basePath =
    cfg.mode === 'full' ? path.join(dir, 'encoder') : path.resolve(dir, opts.baseModel ?? cfg.base_model);
  const adapterFile = path.join(dir, 'adapter_model.safetensors');
  const adapter = readSafetensors(adapterFile).tensors;
  const peft = cfg.mode === 'lora' ? readJsonFile<PeftLoraConfig>(path.join(dir, 'adapter_config.json')) : undefined;
  const encoder = loadBertEncoder(basePath, { trainable: false });
  const files = { config: path.join(dir, 'reranker_config.json'), adapter: adapterFile, base: basePath };
  return rerankerFromWeights(cfg, encoder, adapter, peft, files);
}

/** The tokenizer folder to use with a saved reranker: its own copy, else the base model's folder. */
export function rerankerTokenizerDir(dir: string, opts: { baseModel?: string } = {}): string {
  const own = path.join(dir, 'tokenizer');
  if (fs.existsSync(path.join(own, 'tokenizer.json')) || fs.existsSync(path.join(own, 'vocab.txt'))) return own;
  const cfg = readRerankerConfig(dir);
  return cfg.mode === 'full' ? path.join(dir, 'encoder') : path.resolve(dir, opts.baseModel ?? cfg.base_model);
}
