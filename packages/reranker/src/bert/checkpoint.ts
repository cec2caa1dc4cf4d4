// Loading a Hugging Face BertModel folder (config.json + model.safetensors) by name lookup.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsDir } from '@kard/nn';
import { parseBertConfig, type BertConfig, BertConfigError } from './config';
import { BertEncoder } from './model';
import { KardError } from '@kard/core';

/** Thrown when a model folder's weights do not match its config (missing tensors, wrong shapes, no weights). */
export class CheckpointError extends KardError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'CheckpointError';
  }
}

/**
 * Maps a checkpoint key to BertModel's own name, or null for tensors the encoder does not use. Accepts keys with
 * or without the `bert.` prefix (BertModel vs BertFor* checkpoints) and TF-era `gamma`/`beta` LayerNorm names.
 */
export function bertKey(key: string): string | null {
  let k = key.startsWith('bert.') ? key.slice(5) : key;
  if (!k.startsWith('embeddings.') && !k.startsWith('encoder.')) return null; // pooler, cls heads, etc.
  if (k.endsWith('position_ids')) return null;
  k = k.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return k;
}

export function readBertConfig(dir: string): BertConfig {
  const file = path.join(dir, 'config.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BertConfigError(`cannot read: ${(err as Error).message}`, file);
  }
  return parseBertConfig(json, file);
}

/** Loads a `BertModel` checkpoint folder; `trainable: false` freezes the base (the LoRA set-up). */
export function loadBertEncoder(dir: string, opts: { trainable?: boolean } = {}): BertEncoder {
  const config = readBertConfig(dir);
  const arrays = readSafetensorsDir(dir);
  if (!arrays)
    throw new CheckpointError('no model.safetensors (convert pytorch_model.bin with transformers first)', dir);
  const byName = new Map<string, { shape: number[]; values: Float32Array | Int32Array }>();
  for (const [key, arr] of arrays) {
    const name = bertKey(key);
    if (name) byName.set(name, arr);
  }
  const encoder = BertEncoder.zeros(config);
  const params = encoder.namedParameters();
  const missing = [...params.keys()].filter((name) => !byName.has(name));
  if (missing.length > 0) {
    encoder.dispose();
    throw new CheckpointError(`missing ${missing.length} tensor(s), e.g. ${missing.slice(0, 3).join(', ')}`, dir);
  }
  for (const [name, v] of params) {
    const arr = byName.get(name)!;
    if (!tf.util.arraysEqual(arr.shape, v.shape)) {
      encoder.dispose();
      throw new CheckpointError(`tensor "${name}" has shape [${arr.shape}], config.json implies [${v.shape}]`, dir);
    }
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(arr.values), v.shape, 'float32')));
  }
  encoder.setTrainable(opts.trainable ?? false);
  return encoder;
}
