// Loading a Hugging Face BertModel folder (config.json + model.safetensors) by name lookup.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensorsDir } from '@kard/nn';
import { parseBertConfig, type BertConfig, BertConfigError } from './config';
import type { BertEncoder } from './model';
import { bertEncoderFromWeights, CheckpointError } from './weights';

export { bertEncoderFromWeights, bertKey, CheckpointError } from './weights';

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
  return bertEncoderFromWeights(config, arrays, dir, opts);
}
