// A BertModel's weights, however they were read (a folder: checkpoint.ts; fetched bytes in a browser), put into a
// BertEncoder by name lookup. No Node built-ins.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '@kard/nn';
import { KardError } from '@kard/core';
import type { BertConfig } from './config';
import { BertEncoder } from './model';

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

/**
 * A BertEncoder for `config` holding the checkpoint's `arrays`; `dir` names the checkpoint in errors. `trainable:
 * false` freezes the base (the LoRA set-up).
 */
export function bertEncoderFromWeights(
  config: BertConfig,
  arrays: Map<string, Pick<NamedArray, 'shape' | 'values'>>,
  dir: string,
  opts: { trainable?: boolean } = {},
): BertEncoder {
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
