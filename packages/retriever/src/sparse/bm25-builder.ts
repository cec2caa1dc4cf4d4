import { type Passage, indexedText } from '@kard/knowledge-base';
import { Analyzer, type AnalyzerOptions } from '../analysis';
import { type Bm25Data, type Bm25Params, type CorpusFileInfo, checkParams, DEFAULT_BM25_PARAMS } from './bm25-data';
import { EmptyCorpusError } from './errors';
import { GrowableUint32Array } from '@kard/core';
import { IdTable } from './id-table';

export interface Bm25BuildOptions extends Partial<Bm25Params>, AnalyzerOptions {
  /** Called every 1,000 passages and at the end with the number indexed so far. */
  onProgress?: (passages: number) => void;
  /** The files the passages came from, recorded in the saved manifest. */
  corpus?: CorpusFileInfo[];
  /**
   * Worker threads for `Bm25Index.build` (a segmented build: batches analysed and inverted in workers, spilled to
   * `tempDir`, merged; same index). Omitted or 0: this builder, in the calling thread and in memory.
   */
  threads?: number;
  /** Where a threaded build spills its segments (a hidden folder inside, removed afterwards). Default os.tmpdir(). */
  tempDir?: string;
  /** Threaded build: what it is for (e.g. the index folder), named in the error when the disk fills up. */
  target?: string;
  /** Threaded build: documents per batch (default 4,096) and terms per segment vocabulary (default 4M). */
  batchDocs?: number;
  segmentTerms?: number;
}

const TOKEN = /[\p{L}\p{N}]+/gu;
const STOP = -1;
/** Distinct raw tokens remembered before the token cache starts over (bounds memory on huge corpora). */
const TOKEN_CACHE_LIMIT = 2_000_000;

/**
 * Streams documents into a forward index (per document: distinct term ids and their counts), then turns
 * it term-major with one counting-sort pass. Peak memory is about twice the final postings.
 */
export class Bm25Builder {
  private readonly analyzer: Analyzer;
  private readonly params: Bm25Params;
  private readonly vocabulary = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Raw lowercased token -> term id (or STOP), so stop-word and stemming work happens once per token type. */
  private readonly tokenIds = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly docLengths = new GrowableUint32Array();
  private readonly docUnique = new GrowableUint32Array();
  private readonly forwardTerms = new GrowableUint32Array(1 << 16);
  private readonly forwardTfs = new GrowableUint32Array(1 << 16);
  // Per term: document frequency, last document seen, and where its count sits in the forward arrays.
  private df = new Uint32Array(1 << 12);
  private lastDoc = new Int32Array(1 << 12).fill(-1);
  private slot = new Uint32Array(1 << 12);

  constructor(options: Bm25BuildOptions = {}) {
    this.params = { k1: options.k1 ?? DEFAULT_BM25_PARAMS.k1, b: options.b ?? DEFAULT_BM25_PARAMS.b };
    checkParams(this.params);
    this.analyzer = new Analyzer(options);
  }

  get size(): number {
    return this.ids.length;
  }

  addPassage(p: Passage): void {
    this.add(p.id, indexedText(p));
  }

  add(id: string, text: string): void {
    if (typeof id !== 'string' || id === '')
      throw new TypeError(`document id must be a non-empty string, got ${JSON.stringify(id)}`);
    const doc = this.ids.length;
    this.ids.push(id);
    const lower = text.toLowerCase();
    const forwardTerms = this.forwardTerms;
    const forwardTfs = this.forwardTfs;
    let length = 0;
    let unique = 0;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(lower); m !== null; m = TOKEN.exec(lower)) {
      let t = this.tokenIds.get(m[0]);
      if (t === undefined) t = this.resolve(m[0]);
      if (t === STOP) continue;
      length++;
      if (this.lastDoc[t] !== doc) {
        this.lastDoc[t] = doc;
        this.slot[t] = forwardTerms.length;
        this.df[t]++;
        forwardTerms.push(t);
        forwardTfs.push(1);
        unique++;
      } else {
        forwardTfs.data[this.slot[t]]++;
      }
    }
    this.docLengths.push(length);
    this.docUnique.push(unique);
  }

  private resolve(token: string): number {
    const term = this.analyzer.term(token);
    let t = STOP;
    if (term !== null) {
      const known = this.vocabulary.get(term);
      t = known ?? this.newTerm(term);
    }
    if (this.tokenIds.size >= TOKEN_CACHE_LIMIT) this.tokenIds.clear();
    this.tokenIds.set(token, t);
    return t;
  }

  private newTerm(term: string): number {
    const t = this.terms.length;
    this.terms.push(term);
    this.vocabulary.set(term, t);
    if (t === this.df.length) {
      const n = t * 2;
      const df = new Uint32Array(n);
      df.set(this.df);
      this.df = df;
      const lastDoc = new Int32Array(n).fill(-1);
      lastDoc.set(this.lastDoc);
      this.lastDoc = lastDoc;
      const slot = new Uint32Array(n);
      slot.set(this.slot);
      this.slot = slot;
    }
    return t;
  }

  /** The finished index arrays. The builder must not be used afterwards. */
  finish(corpus: CorpusFileInfo[] = []): Bm25Data {
    const n = this.ids.length;
    if (n === 0) throw new EmptyCorpusError(corpus.map((c) => c.path));
    const ids = IdTable.fromStrings(this.ids);
    const termCount = this.terms.length;
    const postings = this.forwardTerms.length;
    if (postings > 0xffffffff) throw new RangeError(`${postings} postings exceed one index segment (2^32)`);
    const termOffsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) termOffsets[t + 1] = termOffsets[t] + this.df[t];

    const forwardTerms = this.forwardTerms.data;
    const forwardTfs = this.forwardTfs.data;
    let maxTf = 0;
    for (let i = 0; i < postings; i++) if (forwardTfs[i] > maxTf) maxTf = forwardTfs[i];
    const postingDocs = new Uint32Array(postings);
    const postingTfs = maxTf <= 0xffff ? new Uint16Array(postings) : new Uint32Array(postings);
    const cursor = termOffsets.slice(0, termCount);
    const docUnique = this.docUnique.data;
    let f = 0;
    for (let d = 0; d < n; d++) {
      for (const end = f + docUnique[d]; f < end; f++) {
        const at = cursor[forwardTerms[f]]++;
        postingDocs[at] = d;
        postingTfs[at] = forwardTfs[f];
      }
    }
    return {
      params: this.params,
      analyzer: this.analyzer.settings,
      ids,
      docLengths: this.docLengths.toArray(),
      terms: this.terms,
      termOffsets,
      postingDocs,
      postingTfs,
      corpus,
    };
  }
}
