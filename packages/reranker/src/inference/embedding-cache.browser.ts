// What a browser build gets for embedding-cache.ts (package.json "browser" maps it here): the same cache kept in
// memory only, since a page has no folder to keep it in (and no node:crypto to fingerprint the model for one).
import type { ColbertModel } from '../colbert/model';

export interface PassageEmbedding {
  /** Real (unpadded) tokens × compression dim, row-major. */
  vectors: Float32Array;
  tokens: number;
}

/** Memory-only caches are private to one model object, so they need no fingerprint. */
export function modelFingerprint(_model: ColbertModel): string {
  return 'memory';
}

export class PassageEmbeddingCache {
  private readonly map = new Map<string, PassageEmbedding>();

  constructor(
    readonly dim: number,
    readonly fingerprint: string,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(id: string): PassageEmbedding | undefined {
    return this.map.get(id);
  }

  set(id: string, e: PassageEmbedding): void {
    this.map.set(id, e);
  }

  save(): void {}
}
