import type { Hit, Reranker, Retriever } from '@kard/retriever';

export interface RerankingRetrieverOptions {
  /** Candidates taken from the first-stage retriever. KARD: 100. */
  maxDoc?: number;
  /** Passages kept after reranking, when `search` is not given k. Default 3. */
  nDocs?: number;
}

/** KARD's inference retrieval: first-stage (BM25) top `maxDoc` for the question, reranked, best `nDocs` kept. */
export class RerankingRetriever implements Retriever {
  readonly maxDoc: number;
  readonly nDocs: number;

  constructor(
    readonly firstStage: Retriever,
    readonly reranker: Reranker,
    opts: RerankingRetrieverOptions = {},
  ) {
    this.maxDoc = opts.maxDoc ?? 100;
    this.nDocs = opts.nDocs ?? 3;
  }

  async search(query: string, k = this.nDocs): Promise<Hit[]> {
    const candidates = await this.firstStage.search(query, this.maxDoc);
    return this.reranker.rerank(query, candidates, k);
  }

  async searchBatch(queries: string[], k = this.nDocs): Promise<Hit[][]> {
    const out: Hit[][] = [];
    for (const q of queries) out.push(await this.search(q, k));
    return out;
  }
}
