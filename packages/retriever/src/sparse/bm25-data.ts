import type { AnalyzerSettings } from '../analysis';
import type { IdTable } from './id-table';

/** BM25 free parameters; Pyserini's defaults are k1 = 0.9, b = 0.4. */
export interface Bm25Params {
  /** Term-frequency saturation. Default 0.9. */
  k1: number;
  /** Length normalisation strength, 0 (none) to 1 (full). Default 0.4. */
  b: number;
}

export const DEFAULT_BM25_PARAMS: Bm25Params = { k1: 0.9, b: 0.4 };

/** A corpus file an index was built from, as recorded in its manifest. */
export interface CorpusFileInfo {
  path: string;
  bytes: number;
  sha256: string;
  /** Passages read from the file. */
  passages?: number;
  /** Byte sequences that were not UTF-8, read as U+FFFD (absent when none). */
  invalidUtf8?: number;
}

/**
 * Everything an index holds, as flat typed arrays: term-major postings in CSR form (the postings of term
 * t are rows termOffsets[t] .. termOffsets[t+1] of postingDocs/postingTfs, doc rows ascending).
 */
export interface Bm25Data {
  params: Bm25Params;
  analyzer: AnalyzerSettings;
  ids: IdTable;
  /** Analysed terms per document (stop words excluded), exactly. */
  docLengths: Uint32Array;
  terms: string[];
  termOffsets: Uint32Array;
  postingDocs: Uint32Array;
  postingTfs: Uint16Array | Uint32Array;
  corpus: CorpusFileInfo[];
}

export function checkParams(params: Bm25Params): void {
  if (!(Number.isFinite(params.k1) && params.k1 >= 0)) throw new RangeError(`k1 must be >= 0, got ${params.k1}`);
  if (!(Number.isFinite(params.b) && params.b >= 0 && params.b <= 1)) {
    throw new RangeError(`b must be in [0, 1], got ${params.b}`);
  }
}
