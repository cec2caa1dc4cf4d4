import type { Passage } from '@kard/knowledge-base';

/** One search result, Pyserini-style: `id` is the docid, `rank` starts at 1. */
export interface Hit {
  id: string;
  score: number;
  rank: number;
  /** The passage itself, when the retriever was given a store to read it from. */
  passage?: Passage;
}

/** Anything that answers queries with ranked hits: BM25, dense, hybrid, or a reranking pipeline. */
export interface Retriever {
  search(query: string, k?: number): Hit[] | Promise<Hit[]>;
  searchBatch(queries: string[], k?: number): Hit[][] | Promise<Hit[][]>;
}

/** Reorders candidates for a query, keeping the best `k` (KARD's neural reranker implements this). */
export interface Reranker {
  rerank(query: string, candidates: Hit[], k?: number): Promise<Hit[]>;
}
