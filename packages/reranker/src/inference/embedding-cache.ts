// Passage token embeddings kept per corpus and model, so a corpus is encoded once. On disk: one safetensors file
// whose tensors are named by passage id ([tokens, dim] each) and whose metadata records the model fingerprint.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type ArrayToWrite } from '@kard/nn';
import type { ColbertModel } from '../colbert/model';
import { MemoryEmbeddingCache, type PassageEmbedding } from './embedding-memory';

export type { PassageEmbedding } from './embedding-memory';

const FILE = 'passage-embeddings.safetensors';

/** A hash of every weight and option, so cached embeddings are only reused by the model that made them. */
export function modelFingerprint(model: ColbertModel): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ config: model.encoder.config, options: model.options }));
  const tensors: Record<string, tf.Tensor> = {
    ...model.encoder.namedTensors(),
    ...(model.encoder.lora?.namedTensors() ?? {}),
  };
  tensors['compressor.weight'] = model.compressor.weight;
  tensors['compressor.bias'] = model.compressor.bias;
  if (model.mix) Object.assign(tensors, { 'mix.weight': model.mix.weight, 'mix.prior': model.mix.prior });
  for (const name of Object.keys(tensors).sort()) {
    h.update(name);
    const v = tensors[name].dataSync() as Float32Array;
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex').slice(0, 32);
}

export class PassageEmbeddingCache extends MemoryEmbeddingCache {
  private dirty = false;

  /**
   * @param dir          folder of the cache, or undefined for memory only
   * @param fingerprint  identifies the model; a cache written by another model is ignored and overwritten
   */
  constructor(
    dim: number,
    fingerprint: string,
    readonly dir?: string,
  ) {
    super(dim, fingerprint);
    const file = dir ? path.join(dir, FILE) : undefined;
    if (file && fs.existsSync(file)) {
      const { tensors, metadata } = readSafetensors(file);
      if (metadata.fingerprint === fingerprint && Number(metadata.dim) === dim) {
        for (const [id, arr] of tensors)
          this.map.set(id, { vectors: arr.values as Float32Array, tokens: arr.shape[0] });
      }
    }
  }

  override set(id: string, e: PassageEmbedding): void {
    super.set(id, e);
    this.dirty = true;
  }

  /** Writes the cache (atomically) when it changed; a no-op for a memory-only cache. */
  override save(): void {
    if (!this.dir || !this.dirty) return;
    const tensors = new Map<string, ArrayToWrite>();
    for (const [id, e] of this.map) tensors.set(id, { shape: [e.tokens, this.dim], values: e.vectors });
    writeSafetensors(path.join(this.dir, FILE), tensors, {
      format: 'kard-reranker-cache',
      fingerprint: this.fingerprint,
      dim: String(this.dim),
    });
    this.dirty = false;
  }
}
