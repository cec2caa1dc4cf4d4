import * as fs from 'node:fs';
import { GrowableUint32Array } from '@kard/core';
import { Analyzer, type AnalyzerOptions } from '../analysis';

/**
 * One worker's share of a segmented BM25 build. Batches (contiguous runs of documents, numbered in input order)
 * are analysed against a segment-local vocabulary, inverted, and appended to the worker's spill file as one
 * record each; only the vocabulary stays in memory, and it is written out and dropped whenever it grows past
 * `segmentTerms` (a segment). The merge (`mergeSegments`) needs, per term, where it first appeared (batch,
 * token position) to reproduce the single-threaded builder's first-appearance term order exactly.
 *
 * Record layout (little-endian uint32 words): RECORD_MAGIC, seq, 0 (reserved), documents, terms, postings, maxTf,
 * tfBytes (2 or 4); then the batch's local term ids, each term's document count, the postings' rows within the
 * batch (grouped by term in the order of the term list, rows ascending) and their term frequencies (uint16 or
 * uint32, padded to a word). Rows are the batch's own (0-based): a worker that parses its batches does not know
 * how many passages came before them; the merge adds each batch's first global row.
 */
export const RECORD_MAGIC = 0x4b424d31; // "KBM1"
export const RECORD_HEADER_WORDS = 8;

/** Where a batch's record lies, and what the merge needs from it without reading it. */
export interface BatchRecord {
  seq: number;
  segment: string;
  file: string;
  offset: number;
  bytes: number;
  documents: number;
  postings: number;
  maxTf: number;
}

/** A finished segment: its vocabulary file (see `writeVocabulary`). */
export interface SegmentInfo {
  segment: string;
  file: string;
  terms: number;
}

const STOP = -1;
/** Raw tokens whose analysed form is remembered across segments (bounds memory on huge vocabularies). */
const STEM_CACHE_LIMIT = 1_000_000;
const NOT_WORD = 0;
const WORD = 1;
const HIGH_SURROGATE = 2;
const ASTRAL = 3;
/** Per UTF-16 code unit: a letter/digit (the analyzer's [\p{L}\p{N}]), not one, or a high surrogate. */
const WORD_CLASS = (() => {
  const table = new Uint8Array(0x10000);
  const word = /^[\p{L}\p{N}]$/u;
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdbff) table[c] = HIGH_SURROGATE;
    else if (c < 0xdc00 || c > 0xdfff) table[c] = word.test(String.fromCharCode(c)) ? WORD : NOT_WORD;
  }
  return table;
})();
const ASCII_WORD = WORD_CLASS.slice(0, 0x80);
const ASTRAL_WORD = /^[\p{L}\p{N}]$/u;

/** ASTRAL when the surrogate pair at `at` is a letter/digit, else NOT_WORD (a lone surrogate is neither). */
function astralWord(s: string, at: number): number {
  const cp = s.codePointAt(at)!;
  return cp > 0xffff && ASTRAL_WORD.test(String.fromCodePoint(cp)) ? ASTRAL : NOT_WORD;
}
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Distinct tokens a segment's token table holds before it starts over (bounds memory on huge corpora). */
const TOKEN_CACHE_LIMIT = 2_000_000;
/** Code units before a token's characters in the pool: its length and its term + 1, 32 bits each. */
const TOKEN_HEAD = 4;

export class SegmentWriter {
  private readonly analyzer: Analyzer;
  private readonly fd: number;
  private position = 0;
  private segmentNo = 0;
  private readonly segments: SegmentInfo[] = [];
  // The open segment's vocabulary.
  private vocabulary = new Map<string, number>();
  private terms: string[] = [];
  private firstSeq = new GrowableUint32Array(1 << 12);
  private firstPos = new GrowableUint32Array(1 << 12);
  private df = new Uint32Array(1 << 12);
  // Per local term, for the batch being built: last document row, forward slot, batch mark and postings cursor.
  private lastDoc = new Int32Array(1 << 12).fill(-1);
  private slot = new Uint32Array(1 << 12);
  private mark = new Uint32Array(1 << 12);
  private cursor = new Uint32Array(1 << 12);
  // Tokens of the open segment: an open-addressing table of (hash, pool offset + 1) pairs, and the pool, where each
  // token is [length (2 code units), term + 1 (2 code units), its characters]: a lookup touches the table slot and
  // one run of the pool (the hash beside the offset, so a probe that meets another token rarely leaves the table).
  private table = new Int32Array(2 << 16);
  private tokenCount = 0;
  private pool = new Uint16Array(1 << 16);
  private poolEnd = 0;
  /** raw token -> analysed term (null: stop word), kept across segments. */
  private readonly stems = new Map<string, string | null>();
  private readonly forwardTerms = new GrowableUint32Array(1 << 16);
  private readonly forwardTfs = new GrowableUint32Array(1 << 16);
  private readonly docUnique = new GrowableUint32Array(1 << 12);
  private readonly batchTerms = new GrowableUint32Array(1 << 12);
  /** Documents this writer has seen (its own running row, what `lastDoc` holds). */
  private documents = 0;

  constructor(
    readonly dir: string,
    readonly name: string,
    analyzer: AnalyzerOptions,
    private readonly segmentTerms = 4_000_000,
  ) {
    this.analyzer = new Analyzer(analyzer);
    this.fd = fs.openSync(`${dir}/${name}.postings`, 'w');
  }

  private get segment(): string {
    return `${this.name}-${this.segmentNo}`;
  }

  /**
   * Analyses and inverts one batch; `seq` numbers batches in input order. Returns the documents' lengths and
   * where the record went.
   */
  addBatch(seq: number, texts: string[]): { docLengths: Uint32Array; record: BatchRecord } {
    if (this.terms.length >= this.segmentTerms) this.closeSegment();
    const n = texts.length;
    const docLengths = new Uint32Array(n);
    const fTerms = this.forwardTerms;
    const fTfs = this.forwardTfs;
    const docUnique = this.docUnique;
    fTerms.length = 0;
    fTfs.length = 0;
    docUnique.length = 0;
    this.batchTerms.length = 0;
    const mark = seq + 1;
    let pos = 0; // token position within the batch: the tie-break of first appearance
    let maxTf = 0;
    const base = this.documents;
    this.documents += n;
    for (let i = 0; i < n; i++) {
      const doc = base + i;
      const lower = texts[i].toLowerCase();
      let length = 0;
      let unique = 0;
      const len = lower.length;
      let start = -1;
      // Tokens are maximal runs of letters/digits ([\p{L}\p{N}]+), found with a per-code-unit class table and
      // hashed as they are scanned; astral characters (surrogate pairs) are classified by code point.
      let h = 0;
      for (let at = 0; at <= len; at++) {
        let c = at < len ? lower.charCodeAt(at) : 32;
        let cls = c < 0x80 ? ASCII_WORD[c] : WORD_CLASS[c];
        if (cls === HIGH_SURROGATE) cls = astralWord(lower, at);
        if (cls !== NOT_WORD) {
          if (start < 0) {
            start = at;
            h = FNV_OFFSET;
          }
          h = Math.imul(h ^ c, FNV_PRIME);
          if (cls === ASTRAL) {
            c = lower.charCodeAt(++at);
            h = Math.imul(h ^ c, FNV_PRIME);
          }
          continue;
        }
        if (start >= 0) {
          const t = this.tokenTermOf(lower, start, at, h >>> 0, seq, pos++);
          start = -1;
          if (t === STOP) continue;
          length++;
          if (this.lastDoc[t] !== doc) {
            this.lastDoc[t] = doc;
            this.slot[t] = fTerms.length;
            fTerms.push(t);
            fTfs.push(1);
            unique++;
          } else fTfs.data[this.slot[t]]++;
        }
      }
      docLengths[i] = length;
      docUnique.push(unique);
    }
    // Invert the batch: count documents per term, then place each forward entry (a counting sort).
    const postings = fTerms.length;
    const ft = fTerms.data;
    const ff = fTfs.data;
    const batchTerms = this.batchTerms;
    for (let f = 0; f < postings; f++) {
      const t = ft[f];
      if (this.mark[t] !== mark) {
        this.mark[t] = mark;
        this.cursor[t] = 0;
        batchTerms.push(t);
      }
      this.cursor[t]++;
      if (ff[f] > maxTf) maxTf = ff[f];
    }
    const nTerms = batchTerms.length;
    const tfBytes = maxTf <= 0xffff ? 2 : 4;
    const words = RECORD_HEADER_WORDS + 2 * nTerms + postings + Math.ceil((postings * tfBytes) / 4);
    const buf = new ArrayBuffer(words * 4);
    const u32 = new Uint32Array(buf);
    u32.set([RECORD_MAGIC, seq, 0, n, nTerms, postings, maxTf, tfBytes]);
    const termIds = u32.subarray(RECORD_HEADER_WORDS, RECORD_HEADER_WORDS + nTerms);
    const counts = u32.subarray(RECORD_HEADER_WORDS + nTerms, RECORD_HEADER_WORDS + 2 * nTerms);
    const docsAt = RECORD_HEADER_WORDS + 2 * nTerms;
    const docs = u32.subarray(docsAt, docsAt + postings);
    const tfs =
      tfBytes === 2 ? new Uint16Array(buf, (docsAt + postings) * 4, postings) : u32.subarray(docsAt + postings);
    let sum = 0;
    for (let i = 0; i < nTerms; i++) {
      const t = batchTerms.data[i];
      termIds[i] = t;
      counts[i] = this.cursor[t];
      this.df[t] += this.cursor[t];
      this.cursor[t] = sum;
      sum += counts[i];
    }
    let f = 0;
    const du = docUnique.data;
    for (let i = 0; i < n; i++) {
      for (const end = f + du[i]; f < end; f++) {
        const p = this.cursor[ft[f]]++;
        docs[p] = i;
        tfs[p] = ff[f];
      }
    }
    const bytes = buf.byteLength;
    fs.writeSync(this.fd, new Uint8Array(buf), 0, bytes, this.position);
    const record: BatchRecord = {
      seq,
      segment: this.segment,
      file: `${this.dir}/${this.name}.postings`,
      offset: this.position,
      bytes,
      documents: n,
      postings,
      maxTf,
    };
    this.position += bytes;
    return { docLengths, record };
  }

  /** Writes the open segment's vocabulary (if any batch used it) and closes the spill file. */
  finish(): SegmentInfo[] {
    this.closeSegment();
    fs.closeSync(this.fd);
    return this.segments;
  }

  /**
   * The term of the token lower[start, end) with FNV-1a hash `h`, looked up in an open-addressing table whose
   * tokens sit in one UTF-16 pool and are compared in place: no substring is made for a token seen before.
   */
  private tokenTermOf(lower: string, start: number, end: number, h: number, seq: number, pos: number): number {
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    const len = end - start;
    const pool = this.pool;
    const hash = h | 0;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const o = table[2 * i + 1] - 1;
      if (o < 0) break;
      if (table[2 * i] !== hash || pool[o] !== (len & 0xffff) || pool[o + 1] !== len >>> 16) continue;
      const from = o + TOKEN_HEAD;
      let j = 0;
      while (j < len && pool[from + j] === lower.charCodeAt(start + j)) j++;
      if (j === len) return (pool[o + 2] | (pool[o + 3] << 16)) - 1;
    }
    const t = this.resolve(lower.slice(start, end), seq, pos);
    if (this.tokenCount >= TOKEN_CACHE_LIMIT) this.clearTokenTable();
    this.tokenCount++;
    const o = this.poolEnd;
    if (o + TOKEN_HEAD + len > this.pool.length) {
      const grown = new Uint16Array(Math.max(this.pool.length * 2, o + TOKEN_HEAD + len));
      grown.set(this.pool.subarray(0, o));
      this.pool = grown;
    }
    const into = this.pool;
    into[o] = len & 0xffff;
    into[o + 1] = len >>> 16;
    into[o + 2] = (t + 1) & 0xffff;
    into[o + 3] = (t + 1) >>> 16;
    for (let j = 0; j < len; j++) into[o + TOKEN_HEAD + j] = lower.charCodeAt(start + j);
    this.poolEnd = o + TOKEN_HEAD + len;
    if (4 * this.tokenCount > this.table.length) this.rehash(this.table.length);
    const slots = this.table;
    const m = (slots.length >> 1) - 1;
    let i = h & m;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & m;
    slots[2 * i] = hash;
    slots[2 * i + 1] = o + 1;
    return t;
  }

  /** A table of `size` slots (2 words each), holding the tokens of the one it replaces. */
  private rehash(size: number): void {
    const old = this.table;
    const table = new Int32Array(2 * size);
    const mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let i = old[s] & mask;
      while (table[2 * i + 1] !== 0) i = (i + 1) & mask;
      table[2 * i] = old[s];
      table[2 * i + 1] = old[s + 1];
    }
    this.table = table;
  }

  private clearTokenTable(): void {
    this.table = new Int32Array(2 << 16);
    this.tokenCount = 0;
    this.poolEnd = 0;
  }

  /** Analyses a token (stem cache first) and finds or adds its term in the segment vocabulary. */
  private resolve(token: string, seq: number, pos: number): number {
    let term = this.stems.get(token);
    if (term === undefined) {
      term = this.analyzer.term(token);
      if (this.stems.size >= STEM_CACHE_LIMIT) this.stems.clear();
      this.stems.set(token, term);
    }
    let t = STOP;
    if (term !== null) t = this.vocabulary.get(term) ?? this.newTerm(term, seq, pos);
    return t;
  }

  private newTerm(term: string, seq: number, pos: number): number {
    const t = this.terms.length;
    this.terms.push(term);
    this.vocabulary.set(term, t);
    this.firstSeq.push(seq);
    this.firstPos.push(pos);
    if (t === this.df.length) {
      const grow = <T extends Uint32Array | Int32Array>(a: T, fill = 0): T => {
        const b = new (a.constructor as new (n: number) => T)(t * 2);
        if (fill !== 0) b.fill(fill);
        b.set(a);
        return b;
      };
      this.df = grow(this.df);
      this.lastDoc = grow(this.lastDoc, -1);
      this.slot = grow(this.slot);
      this.mark = grow(this.mark);
      this.cursor = grow(this.cursor);
    }
    return t;
  }

  private closeSegment(): void {
    const count = this.terms.length;
    if (count === 0) return;
    const file = `${this.dir}/${this.segment}.vocab`;
    writeVocabulary(file, this.terms, this.df.subarray(0, count), this.firstSeq.toArray(), this.firstPos.toArray());
    this.segments.push({ segment: this.segment, file, terms: count });
    this.segmentNo++;
    this.vocabulary = new Map();
    this.clearTokenTable();
    this.terms = [];
    this.firstSeq.length = 0;
    this.firstPos.length = 0;
    this.df.fill(0);
    this.lastDoc.fill(-1);
    this.mark.fill(0);
  }
}

/** Vocabulary file: uint32 count, then df, first batch and first token position per term, then terms joined by \n. */
export function writeVocabulary(
  file: string,
  terms: string[],
  df: Uint32Array,
  firstSeq: Uint32Array,
  firstPos: Uint32Array,
): void {
  const head = new Uint32Array(1 + 3 * terms.length);
  head[0] = terms.length;
  head.set(df, 1);
  head.set(firstSeq, 1 + terms.length);
  head.set(firstPos, 1 + 2 * terms.length);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, new Uint8Array(head.buffer));
    fs.writeSync(fd, Buffer.from(terms.join('\n'), 'utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

export function readVocabulary(file: string): {
  terms: string[];
  df: Uint32Array;
  firstSeq: Uint32Array;
  firstPos: Uint32Array;
} {
  const bytes = fs.readFileSync(file);
  const count = bytes.readUInt32LE(0);
  const words = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 4 * (1 + 3 * count)));
  const text = bytes.toString('utf8', 4 * (1 + 3 * count));
  return {
    terms: count === 0 ? [] : text.split('\n'),
    df: words.subarray(1, 1 + count),
    firstSeq: words.subarray(1 + count, 1 + 2 * count),
    firstPos: words.subarray(1 + 2 * count, 1 + 3 * count),
  };
}
