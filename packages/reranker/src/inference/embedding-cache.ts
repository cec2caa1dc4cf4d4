// Passage token embeddings kept per corpus and model, so a corpus is encoded once. On disk: one safetensors file
// whose tensors are named by passage id ([tokens, dim] each) and whose metadata records the model fingerprint.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, writeSafetensors, type ArrayToWrite } from '@kard/nn';

export interface PassageEmbedding {
  /** Real (unpadded) tokens × compression dim, row-major. */
  vectors: Float32Array;
  tokens: number;
}

const FILE = 'passage-embeddings.safetensors';

export class PassageEmbeddingCache {
  private readonly map = new Map<string, PassageEmbedding>();
  private dirty = false;

  /**
   * @param dir          folder of the cache, or undefined for memory only
   * @param fingerprint  identifies the model; a cache written by another model is ignored and overwritten
   */
  constructor(
    readonly dim: number,
    readonly fingerprint: string,
    readonly dir?: string,
  ) {
    const file = dir ? path.join(dir, FILE) : undefined;
    if (file && fs.existsSync(file)) {
      const { tensors, metadata } = readSafetensors(file);
      if (metadata.fingerprint === fingerprint && Number(metadata.dim) === dim) {
        for (const [id, arr] of tensors)
          this.map.set(id, { vectors: arr.values as Float32Array, tokens: arr.shape[0] });
      }
    }
  }

  get size(): number {
    return this.map.size;
  }

  get(id: string): PassageEmbedding | undefined {
    return this.map.get(id);
  }

  set(id: string, e: PassageEmbedding): void {
    this.map.set(id, e);
    this.dirty = true;
  }

  /** Writes the cache (atomically) when it changed; a no-op for a memory-only cache. */
  save(): void {
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
