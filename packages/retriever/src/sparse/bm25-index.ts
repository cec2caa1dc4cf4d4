import type { Passage, ReadPassagesOptions, ReadStats } from '@kard/knowledge-base';
import { Analyzer, tokenize } from '../analysis';
import type { Hit, Retriever } from '../types';
import { Bm25Builder, type Bm25BuildOptions } from './bm25-builder';
import { buildFromFiles, buildSegmented, type FileBuildOptions } from './parallel-build';
import { Bm25SearchPool, type ParallelSearchOptions, sharedIndexArrays } from './parallel-search';
import type { Bm25Data, Bm25Params, CorpusFileInfo } from './bm25-data';
import { type Bm25SearchArrays, corpusStatistics, postingTf, searchArraysFromCsr } from './bm25-blocks';
import { type LoadBm25Options, loadBm25Data, saveBm25Data } from './bm25-storage';
import { WindowMaxScore } from './window-maxscore';
import { UnknownDocumentError } from './errors';
import { TopK } from './top-k';

/** Where hits get their passage text from (a `PassageStore` fits). */
export interface PassageSource {
  get(id: string): Passage | undefined;
}

/** One query term's share of a document's score, as `Bm25Index.explain` reports it. */
export interface TermExplanation {
  term: string;
  /** Documents containing the term (0: not in the index, and it scores nothing). */
  df: number;
  idf: number;
  tf: number;
  score: number;
}

/** Options of `Bm25Index.search` and `searchBatch`. */
export interface Bm25SearchOptions {
  /**
   * true: score every posting of every query term (term-at-a-time into a dense accumulator), the reference the
   * pruned path is tested against; false: always prune (block-max MaxScore). Both give the same hits and
   * bit-identical scores. Default: prune on indexes of at least PRUNE_MIN_DOCUMENTS documents (on smaller ones
   * scoring every posting measured faster).
   */
  exhaustive?: boolean;
}

/**
 * Documents from which pruning is the default. Below, the exhaustive scorer's accumulator and norms (16 bytes a
 * document) stay in cache and it measured faster; above, pruning wins (forced paths, CPU time, questions/rationales
 * as pruned / exhaustive: 0.72x/0.60x on the shipped 22.5k paragraphs, 1.15x/0.83x at 100k generated passages,
 * 1.67x/1.55x at 200k, 5.0x/3.2x at 1M). The crossover depends on the machine's cache.
 */
export const PRUNE_MIN_DOCUMENTS = 1 << 17;

const UNKNOWN = -1;
const QUERY_CACHE_LIMIT = 200_000;

/**
 * Exact Okapi BM25 as Lucene's BM25Similarity scores it, with exact document lengths:
 * score(q, d) = sum over query tokens t of idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl)),
 * idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)). As in Lucene, N and avgdl count the documents that have
 * at least one term. A query token that repeats counts each time. Ties rank by id ascending.
 *
 * Search is block-max MaxScore over CSR postings cut into blocks of 128 with each block's largest contribution,
 * in windows of documents (see window-maxscore.ts), filtering candidates with a byte per posting that bounds its
 * contribution (computed at load, 1 byte a posting in memory) before scoring the survivors exactly;
 * `{ exhaustive: true }` scores every posting term-at-a-time into a dense accumulator instead, the reference it is
 * tested against.
 *
 * @example
 * const index = await Bm25Index.build(readPassages('corpus.jsonl'));
 * index.search('who founded the mongol empire', 10); // [{ id, score, rank: 1 }, ...]
 */
export class Bm25Index implements Retriever {
  readonly params: Bm25Params;
  readonly analyzer: Analyzer;
  /** Documents with at least one term (Lucene's docCount): the N of idf. */
  readonly documentCount: number;
  readonly averageLength: number;
  private readonly vocabulary = new Map<string, number>();
  // set by `adopt`, in the constructor and again when a search pool moves the arrays onto SharedArrayBuffers
  private current!: Bm25Data;
  /** Derived on first use when the constructor was not given them: a build that is only saved never needs them. */
  private currentArrays: Bm25SearchArrays | null = null;
  private windowedSearch: WindowMaxScore | null = null;
  /** The pool `searchBatchParallel` keeps between calls, and the threads it was asked for. */
  private pool: { threads: number | undefined; pool: Bm25SearchPool } | null = null;
  private readonly queryTokens = new Map<string, number>();
  private accumulator?: Float64Array;
  private touched?: Uint32Array;
  private passages: PassageSource | null = null;

  /**
   * Use `Bm25Index.build` or `Bm25Index.load`. `arrays`: the search arrays derived from `data`, when a caller
   * already has them (e.g. on SharedArrayBuffers from another thread); derived on first use otherwise (one pass
   * over the postings, about 1 s for 1M passages).
   */
  constructor(data: Bm25Data, arrays?: Bm25SearchArrays) {
    this.params = { ...data.params };
    this.analyzer = new Analyzer(data.analyzer);
    const { documentCount, averageLength } = corpusStatistics(data.docLengths);
    this.documentCount = documentCount;
    this.averageLength = averageLength;
    for (let t = 0; t < data.terms.length; t++) this.vocabulary.set(data.terms[t], t);
    this.adopt(data, arrays ?? null);
  }

  /** Search from these arrays (the same values as before when a pool moves them onto SharedArrayBuffers). */
  private adopt(data: Bm25Data, arrays: Bm25SearchArrays | null): void {
    this.current = data;
    this.currentArrays = arrays;
    this.windowedSearch = null;
  }

  /** Everything the index holds (typed arrays; on SharedArrayBuffers once a search pool has been started). */
  get data(): Bm25Data {
    return this.current;
  }

  /** Norms, idf and per-block maxima, derived from `data` on first use (typed arrays, shareable with worker threads). */
  get arrays(): Bm25SearchArrays {
    return (this.currentArrays ??= searchArraysFromCsr(this.current));
  }

  private get idf(): Float64Array {
    return this.arrays.idf;
  }

  /** k1 * (1 - b + b * dl / avgdl) per document. */
  private get norms(): Float64Array {
    return this.arrays.norms;
  }

  private get windowed(): WindowMaxScore {
    return (this.windowedSearch ??= new WindowMaxScore(this.current, this.arrays));
  }

  /**
   * Indexes corpus files as `build(readPassages(file, options.read))` over each would, and returns each file's read
   * stats. With `threads`, the workers also parse the files (the calling thread only reads and decompresses), which
   * is what makes a threaded build of files scale. A duplicate id is an `InputFormatError` naming both files and
   * lines.
   */
  static async buildFiles(
    files: string[],
    options: FileBuildOptions | (Bm25BuildOptions & { read?: ReadPassagesOptions }) = {},
  ): Promise<{ index: Bm25Index; stats: ReadStats[] }> {
    const inThread = async (passages: AsyncIterable<Passage>) =>
      (await Bm25Index.build(passages, { ...options, threads: 0 })).data;
    const { data, stats } = await buildFromFiles(files, options, inThread);
    return { index: new Bm25Index(data), stats };
  }

  /** Indexes passages (a `readPassages` stream, an array, any iterable); the text is `indexedText(p)`. */
  static async build(
    passages: Iterable<Passage> | AsyncIterable<Passage>,
    options: Bm25BuildOptions = {},
  ): Promise<Bm25Index> {
    if (options.threads !== undefined && options.threads > 0)
      return new Bm25Index(await buildSegmented(passages, { ...options, threads: options.threads }));
    const builder = new Bm25Builder(options);
    const progress = options.onProgress;
    if (Symbol.asyncIterator in passages) {
      for await (const p of passages) {
        builder.addPassage(p);
        if (progress && builder.size % 1000 === 0) progress(builder.size);
      }
    } else {
      for (const p of passages) {
        builder.addPassage(p);
        if (progress && builder.size % 1000 === 0) progress(builder.size);
      }
    }
    progress?.(builder.size);
    return new Bm25Index(builder.finish(options.corpus ?? []));
  }

  /**
   * Loads an index folder written by `save`. Throws `IndexFormatError` naming the file for a folder that is
   * missing, incomplete, from another format version ("rebuild the index"), or corrupt (a truncated file, a file
   * whose crc32 differs from the manifest's, a document row out of range, a zero term frequency, lengths that
   * disagree with the postings). `{ shared: true }` puts every array on a SharedArrayBuffer for worker threads.
   */
  static load(dir: string, options: LoadBm25Options = {}): Bm25Index {
    const data = loadBm25Data(dir, options);
    return new Bm25Index(data, searchArraysFromCsr(data, { shared: options.shared }));
  }

  /**
   * Writes the index to the folder `dir` atomically: nothing is left half-written on failure. An existing `dir`
   * that is not empty and not an index folder (a file, someone's files, the current directory) is refused with
   * OutputExistsError unless `overwrite`.
   */
  save(dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    return saveBm25Data(this.data, dir, options);
  }

  /** Number of documents, empty ones included. */
  get size(): number {
    return this.data.docLengths.length;
  }

  get termCount(): number {
    return this.data.terms.length;
  }

  get corpus(): CorpusFileInfo[] {
    return this.data.corpus;
  }

  /** Hits will carry their passage, read from `source` by id (e.g. a `PassageStore`); `null` stops that. */
  attachPassages(source: PassageSource | null): this {
    this.passages = source;
    return this;
  }

  /** The document id of a row (rows follow input order). */
  idAt(row: number): string {
    return this.data.ids.get(row);
  }

  /**
   * The `k` best documents for `query`, best first (fewer when fewer documents hold a query term; none for a
   * query without indexed terms or k = 0). Exact: block-max MaxScore skips only documents that cannot enter the
   * top k, and scores are summed as `{ exhaustive: true }` sums them. Throws RangeError unless k is an integer >= 0.
   */
  search(query: string, k = 10, options: Bm25SearchOptions = {}): Hit[] {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0, got ${k}`);
    const { docs, scores } = this.topOfTermIds(this.queryTermIds(query), k, !this.prune(options.exhaustive));
    return docs.map((d, i) => this.hit(d, scores[i], i + 1));
  }

  /**
   * @internal The rows and scores of the k best documents, best first, for a query given as term ids (repeats
   * kept): `search` without analysis or hits, what a search pool's workers run.
   */
  topOfTermIds(terms: number[], k: number, exhaustive: boolean): { docs: number[]; scores: number[] } {
    if (k === 0 || terms.length === 0) return { docs: [], scores: [] };
    return (exhaustive ? this.exhaustiveTopK(terms, k) : this.windowed.topK(terms, k)).sorted();
  }

  searchBatch(queries: string[], k = 10, options: Bm25SearchOptions = {}): Hit[][] {
    return queries.map((q) => this.search(q, k, options));
  }

  /** Whether to prune: as asked, else on indexes too large for the exhaustive scorer to stay in cache. */
  private prune(exhaustive: boolean | undefined): boolean {
    return exhaustive === undefined ? this.size >= PRUNE_MIN_DOCUMENTS : !exhaustive;
  }

  /** Term-at-a-time over every posting into a dense accumulator: the reference for the pruned path. */
  private exhaustiveTopK(terms: number[], k: number): TopK {
    const n = this.size;
    const acc = (this.accumulator ??= new Float64Array(n));
    const touched = (this.touched ??= new Uint32Array(n));
    const { termOffsets, postingDocs, postingTfs } = this.data;
    const norms = this.norms;
    let count = 0;
    for (const t of terms) {
      const w = this.idf[t];
      for (let p = termOffsets[t], end = termOffsets[t + 1]; p < end; p++) {
        const d = postingDocs[p];
        const tf = postingTfs[p];
        // Every contribution is > 0, so a zero accumulator means "not touched yet".
        if (acc[d] === 0) touched[count++] = d;
        acc[d] += (w * tf) / (tf + norms[d]);
      }
    }
    const top = new TopK(Math.min(k, Math.max(count, 1)), this.data.ids.rank);
    for (let i = 0; i < count; i++) {
      const d = touched[i];
      top.offer(d, acc[d]);
      acc[d] = 0;
    }
    return top;
  }

  /**
   * `searchBatch` spread over worker threads (default: all cores) that share this index's arrays through
   * SharedArrayBuffers; same hits, in query order. The workers are started on the first call and kept for the
   * next ones with the same `threads` (a `searchPool` the index owns; `close()` ends it, and idle workers do not
   * keep the process alive).
   */
  async searchBatchParallel(queries: string[], k = 10, options: ParallelSearchOptions = {}): Promise<Hit[][]> {
    const { threads, onProgress, ...search } = options;
    if ((threads ?? 2) <= 1) return this.searchBatch(queries, k, search);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    if (queries.length === 0) return [];
    if (this.pool === null || this.pool.threads !== threads || !this.pool.pool.usable) {
      void this.pool?.pool.close();
      this.pool = { threads, pool: this.searchPool({ threads }) };
    }
    return this.pool.pool.search(queries, k, { ...search, onProgress });
  }

  /**
   * Starts worker threads (default: all cores) that search this index until `close()`d: start it once, like a
   * server, and each `pool.search(queries, k)` costs only the queries. The first pool moves the index's data and
   * search arrays onto SharedArrayBuffers (one copy, which the index then uses itself; nothing to copy for an
   * index loaded with `{ shared: true }`); workers read that memory and recompute nothing.
   */
  searchPool(options: { threads?: number } = {}): Bm25SearchPool {
    const shared = sharedIndexArrays(this.current, this.arrays);
    this.adopt(shared.data, shared.arrays);
    return new Bm25SearchPool(
      {
        data: shared.data,
        arrays: shared.arrays,
        termIds: (query) => this.queryTermIds(query),
        exhaustive: (o) => !this.prune(o.exhaustive),
        hit: (row, score, rank) => this.hit(row, score, rank),
      },
      options.threads,
    );
  }

  /** Ends the worker threads `searchBatchParallel` keeps (pools from `searchPool` are closed by their owner). */
  async close(): Promise<void> {
    const kept = this.pool;
    this.pool = null;
    await kept?.pool.close();
  }

  /**
   * BM25 of `query` against each of the given documents (0 where no query term occurs), e.g. to score a
   * rationale against reranking candidates. Throws `UnknownDocumentError` for an id the index lacks.
   */
  scoreDocuments(query: string, ids: string[]): number[] {
    const terms = this.queryTermIds(query);
    return ids.map((id) => {
      const d = this.rowOf(id);
      let score = 0;
      for (const t of terms) {
        const tf = this.termFrequency(t, d);
        if (tf > 0) score += (this.idf[t] * tf) / (tf + this.norms[d]);
      }
      return score;
    });
  }

  /** Each query token's contribution to the document's score (tokens in query order, unknown ones included). */
  explain(query: string, id: string): TermExplanation[] {
    const d = this.rowOf(id);
    return this.analyzer.analyze(query).map((term) => {
      const t = this.vocabulary.get(term);
      if (t === undefined) return { term, df: 0, idf: 0, tf: 0, score: 0 };
      const tf = this.termFrequency(t, d);
      const idf = this.idf[t];
      const df = this.data.termOffsets[t + 1] - this.data.termOffsets[t];
      return { term, df, idf, tf, score: tf > 0 ? (idf * tf) / (tf + this.norms[d]) : 0 };
    });
  }

  /** Document frequency of an analysed term (0 when absent). */
  documentFrequency(term: string): number {
    const t = this.vocabulary.get(term);
    return t === undefined ? 0 : this.data.termOffsets[t + 1] - this.data.termOffsets[t];
  }

  private rowOf(id: string): number {
    const d = this.data.ids.rowOf(id);
    if (d < 0) throw new UnknownDocumentError(id);
    return d;
  }

  /** Binary search of document row `d` in the postings of term `t`. */
  private termFrequency(t: number, d: number): number {
    const { termOffsets, postingDocs, postingTfs } = this.data;
    return postingTf(postingDocs, postingTfs, termOffsets[t], termOffsets[t + 1] - 1, d);
  }

  /** Term ids of the query's tokens in order, repeats kept, terms absent from the index dropped. */
  private queryTermIds(query: string): number[] {
    const ids: number[] = [];
    for (const token of tokenize(query)) {
      let t = this.queryTokens.get(token);
      if (t === undefined) {
        const term = this.analyzer.term(token);
        t = term === null ? UNKNOWN : (this.vocabulary.get(term) ?? UNKNOWN);
        if (this.queryTokens.size >= QUERY_CACHE_LIMIT) this.queryTokens.clear();
        this.queryTokens.set(token, t);
      }
      if (t !== UNKNOWN) ids.push(t);
    }
    return ids;
  }

  private hit(d: number, score: number, rank: number): Hit {
    return this.attach({ id: this.data.ids.get(d), score, rank });
  }

  private attach(hit: Hit): Hit {
    const passage = this.passages?.get(hit.id);
    if (passage !== undefined) hit.passage = passage;
    return hit;
  }
}
