import type { Passage } from '@kard/knowledge-base';
import type { ScorerLike, SearchLike } from './kard-examples';

type Hits = Array<{ id: string; score: number; rank?: number; passage?: Passage }>;

/** A retriever that also answers many queries in one call (Bm25Index.searchBatch, or a threaded one). */
export interface BatchSearchLike extends SearchLike {
  searchBatch(queries: string[], k: number): Hits[] | Promise<Hits[]>;
}

export const canSearchBatch = (r: SearchLike | undefined): r is BatchSearchLike =>
  typeof (r as Partial<BatchSearchLike> | undefined)?.searchBatch === 'function';

/**
 * Serves `search` from hits fetched beforehand in one batch (`prefetch`), so the many queries of a chunk of
 * rationales run together (across worker threads where the retriever has them) instead of one by one. Each query
 * is fetched once at the largest k asked for it: a top-k list is a prefix of any longer one (ties rank by id), so
 * shorter lists are its first hits. Cached hits drop their passage text (callers read it by id), so a chunk costs
 * ids and scores only. A query not prefetched goes to the retriever.
 */
export class PrefetchedSearch implements SearchLike, ScorerLike {
  /** Hits by query, with the k they were fetched at. */
  private cache = new Map<string, { k: number; hits: Hits }>();

  constructor(private readonly inner: BatchSearchLike & ScorerLike) {}

  /** Replaces the cache with the hits of these requests. */
  async prefetch(requests: Array<{ query: string; k: number }>): Promise<void> {
    this.cache = new Map();
    const kOf = new Map<string, number>();
    for (const { query, k } of requests) kOf.set(query, Math.max(k, kOf.get(query) ?? 0));
    // one batch per k (usually two: the knowledge's and the reranker's candidates)
    const byK = new Map<number, string[]>();
    for (const [query, k] of kOf) byK.set(k, [...(byK.get(k) ?? []), query]);
    for (const [k, queries] of byK) {
      const lists = await this.inner.searchBatch(queries, k);
      queries.forEach((q, i) =>
        this.cache.set(q, {
          k,
          hits: lists[i].map(({ id, score, rank }) => (rank === undefined ? { id, score } : { id, score, rank })),
        }),
      );
    }
  }

  async search(query: string, k: number): Promise<Hits> {
    const cached = this.cache.get(query);
    // fewer hits than were asked for: the query matches no more documents, whatever k
    if (cached && (k <= cached.k || cached.hits.length < cached.k)) return cached.hits.slice(0, k);
    return this.inner.search(query, k);
  }

  scoreDocuments(query: string, ids: string[]): number[] | Promise<number[]> {
    return this.inner.scoreDocuments(query, ids);
  }
}
