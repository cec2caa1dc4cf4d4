// What a browser build gets for embedding-cache.ts (package.json "browser" maps it here): the same cache kept in
// memory only, since a page has no folder to keep it in (and no node:crypto to fingerprint the model for one).
import type { ColbertModel } from '../colbert/model';

export { MemoryEmbeddingCache as PassageEmbeddingCache, type PassageEmbedding } from './embedding-memory';

/** Memory-only caches are private to one model object, so they need no fingerprint. */
export function modelFingerprint(_model: ColbertModel): string {
  return 'memory';
}
