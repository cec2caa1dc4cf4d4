// The in-memory part of the passage-embedding cache, written once: the Node cache (embedding-cache.ts) adds a folder
// to it, and the browser build (embedding-cache.browser.ts) uses it as it is. No Node built-in.

export interface PassageEmbedding {
  /** Real (unpadded) tokens × compression dim, row-major. */
  vectors: Float32Array;
  tokens: number;
}

/** Passage embeddings by passage id, kept in memory for the life of the object. */
export class MemoryEmbeddingCache {
  protected readonly map = new Map<string, PassageEmbedding>();

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

  /** Nothing to write for a memory-only cache. */
  save(): void {}
}
