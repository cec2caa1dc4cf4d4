import { Index } from 'flexsearch';
import { type Passage, indexedText } from '@kard/knowledge-base';
import type { Hit, Retriever } from '../types';
import type { Bm25Index } from './bm25-index';

export interface FlexsearchBm25Options {
  /**
   * Index every prefix of every term (flexsearch's `tokenize: 'forward'`), so `prefixSearch('caes')` finds
   * "caesar". Costs several times the memory and build time. Default false.
   */
  prefix?: boolean;
  /** Documents flexsearch proposes per query before BM25 rescoring. Default 100. */
  candidates?: number;
}

/**
 * flexsearch as a candidate generator in front of an exact `Bm25Index`. flexsearch matches the same
 * analysed terms (our analyzer is its encoder) and ranks by term position and query coverage, not BM25,
 * and returns no scores: so it only proposes `candidates` documents, which are then scored exactly with
 * BM25 and sorted. Every score it returns is the exact BM25 score; the approximation is in which documents
 * are considered. With `candidates` >= the number of matching documents the result equals `Bm25Index.search`.
 */
export class FlexsearchBm25 implements Retriever {
  private constructor(
    private readonly index: Index,
    readonly bm25: Bm25Index,
    readonly options: Required<FlexsearchBm25Options>,
  ) {}

  /** Indexes the same passages, in the same order, as `bm25` was built from. */
  static async build(
    passages: Iterable<Passage> | AsyncIterable<Passage>,
    bm25: Bm25Index,
    options: FlexsearchBm25Options = {},
  ): Promise<FlexsearchBm25> {
    const settings = { prefix: options.prefix ?? false, candidates: options.candidates ?? 100 };
    const index = new Index({
      tokenize: settings.prefix ? 'forward' : 'strict',
      encode: (text: string) => bm25.analyzer.analyze(text),
    });
    let row = 0;
    const add = (p: Passage) => {
      if (row >= bm25.size || bm25.idAt(row) !== p.id) {
        throw new RangeError(
          `passage ${JSON.stringify(p.id)} at row ${row} is not the BM25 index's passage there: build both from the ` +
            `same corpus`,
        );
      }
      index.add(row++, indexedText(p));
    };
    if (Symbol.asyncIterator in passages) for await (const p of passages) add(p);
    else for (const p of passages) add(p);
    if (row !== bm25.size) throw new RangeError(`got ${row} passages, the BM25 index has ${bm25.size}`);
    return new FlexsearchBm25(index, bm25, settings);
  }

  /** Exact BM25 scores for flexsearch's any-term candidates, best `k` first, ties by id ascending. */
  search(query: string, k = 10, candidates = this.options.candidates): Hit[] {
    const rows = this.index.search(query, { limit: Math.max(candidates, k), suggest: true }) as number[];
    const ids = rows.map((r) => this.bm25.idAt(r));
    const scores = this.bm25.scoreDocuments(query, ids);
    return ids
      .map((id, i) => ({ id, score: scores[i] }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, k)
      .map((h, i) => ({ ...h, rank: i + 1 }));
  }

  searchBatch(queries: string[], k = 10): Hit[][] {
    return queries.map((q) => this.search(q, k));
  }

  /**
   * Ids of documents with a term starting with each analysed word of `prefix` (all words must match), in
   * flexsearch's order; for autocomplete. Needs `prefix: true` at build time for partial words.
   */
  prefixSearch(prefix: string, limit = 10): string[] {
    const rows = this.index.search(prefix, { limit }) as number[];
    return rows.map((r) => this.bm25.idAt(r));
  }
}
