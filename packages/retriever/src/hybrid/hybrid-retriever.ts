import type { Hit, Retriever } from '../types';
import { normalizedScoreSum, reciprocalRankFusion, type ScoreNormalization } from './fusion';

/** A retriever with its weight in the fusion. */
export interface WeightedRetriever {
  retriever: Retriever;
  /** @default 1 */
  weight?: number;
}

export interface HybridRetrieverOptions {
  /** `rrf`: reciprocal rank fusion. `score-sum`: weighted sum of per-query normalised scores. @default 'rrf' */
  fusion?: 'rrf' | 'score-sum';
  /** RRF's k in 1 / (k + rank). @default 60 */
  rrfK?: number;
  /** Score normalisation for `score-sum`. @default 'min-max' */
  normalization?: ScoreNormalization;
  /** Hits asked of each retriever per query; fusion can only reorder what they return. @default max(k, 100) */
  depth?: number;
}

/**
 * Fuses the rankings of any retrievers (BM25 + dense is the usual pair) into one.
 *
 * @example
 * const hybrid = new HybridRetriever([bm25, { retriever: dense, weight: 0.5 }], { fusion: 'rrf' });
 * const hits = await hybrid.search('who wrote hamlet', 10);
 */
export class HybridRetriever implements Retriever {
  private readonly members: Required<WeightedRetriever>[];

  constructor(
    retrievers: readonly (Retriever | WeightedRetriever)[],
    private readonly options: HybridRetrieverOptions = {},
  ) {
    if (retrievers.length === 0) throw new RangeError('HybridRetriever needs at least one retriever');
    this.members = retrievers.map((r) =>
      'retriever' in r ? { retriever: r.retriever, weight: r.weight ?? 1 } : { retriever: r, weight: 1 },
    );
    const fusion = options.fusion ?? 'rrf';
    if (fusion !== 'rrf' && fusion !== 'score-sum') throw new RangeError(`fusion must be 'rrf' or 'score-sum'`);
  }

  async search(query: string, k = 10): Promise<Hit[]> {
    return (await this.searchBatch([query], k))[0];
  }

  async searchBatch(queries: string[], k = 10): Promise<Hit[][]> {
    const depth = this.options.depth ?? Math.max(k, 100);
    const perRetriever = await Promise.all(this.members.map((m) => m.retriever.searchBatch(queries, depth)));
    const weights = this.members.map((m) => m.weight);
    return queries.map((_, q) => {
      const lists = perRetriever.map((r) => r[q]);
      const fused =
        (this.options.fusion ?? 'rrf') === 'rrf'
          ? reciprocalRankFusion(lists, { k: this.options.rrfK, weights })
          : normalizedScoreSum(lists, { normalization: this.options.normalization, weights });
      return fused.slice(0, k);
    });
  }
}
