// The arrays search derives from an index's CSR postings (never saved: one pass over the postings rebuilds them,
// so a saved index and its blocks can never disagree).
import type { Bm25Data } from './bm25-data';

/** Postings per block: the unit dynamic pruning skips (Lucene and PISA use 128 too). */
export const BLOCK_SHIFT = 7;
export const BLOCK_SIZE = 1 << BLOCK_SHIFT;

/** Documents shorter than this have their norm looked up by length while the search arrays are derived. */
const LONG = 255;

/** The rank of the per-term contribution kept in `termKth` (the k of a usual top-k). */
export const KTH_TERM = 10;

/**
 * What `Bm25Index` computes from `Bm25Data` to score and to prune: per document its length norm, per term its
 * idf and largest contribution, and per block of BLOCK_SIZE postings its last document and largest contribution.
 * All typed arrays, so a worker can receive them on a SharedArrayBuffer instead of recomputing them.
 *
 * Block j of term t (blockOffsets[t] <= j < blockOffsets[t + 1]) covers postings
 * termOffsets[t] + (j - blockOffsets[t]) * BLOCK_SIZE up to BLOCK_SIZE further, cut at the term's end.
 */
export interface Bm25SearchArrays {
  /** k1 * (1 - b + b * dl / avgdl) per document row. */
  norms: Float64Array;
  /** ln(1 + (N - df + 0.5) / (df + 0.5)) per term. */
  idf: Float64Array;
  /** termCount + 1 offsets into the block arrays. */
  blockOffsets: Uint32Array;
  /** Document row of each block's last posting. */
  blockLastDoc: Uint32Array;
  /** Largest contribution idf * tf / (tf + norm) in each block, computed as the scorer computes it. */
  blockMax: Float64Array;
  /** Largest contribution of each term (the maximum of its blocks). */
  termMax: Float64Array;
  /**
   * Each term's KTH_TERM-th largest contribution (0 for a term with fewer postings): KTH_TERM documents score at
   * least this much for any query with the term, so for k <= KTH_TERM pruning can start from it.
   */
  termKth: Float64Array;
  /**
   * Per posting, its contribution rounded up to a multiple of the term's impact step (`impactStep`): a byte that
   * bounds the exact contribution from above without the document's norm, so pruning reads no per-document array
   * while it filters candidates (the exact score is computed only for those left).
   */
  postingImpacts: Uint8Array;
  /** Per term, the unit of its posting impacts: idf / 255 widened by a few ulps (a contribution never reaches idf). */
  impactStep: Float64Array;
}

/**
 * The impact step of a term of weight `idf`: every contribution idf * tf / (tf + norm) is at most idf (norm >= 0),
 * so 255 steps of this size cover it; widened so rounding in `impactOf` never leaves a contribution above its
 * bound.
 */
export const impactStepOf = (idf: number): number => (idf * (1 + 1e-12)) / 255;

/** The smallest q with q * step >= s: the byte that bounds contribution `s` from above (1..255 for 0 < s <= idf). */
export function impactOf(s: number, step: number): number {
  let q = Math.ceil(s / step);
  if (q * step < s) q++;
  return q;
}

type Alloc = <T extends Float64Array | Uint32Array | Uint8Array>(
  make: new (b: ArrayBufferLike) => T,
  bytes: number,
) => T;
const plain: Alloc = (make, bytes) => new make(new ArrayBuffer(bytes));
const shared: Alloc = (make, bytes) => new make(new SharedArrayBuffer(bytes));

/**
 * Term frequency of document row `d` among postings rows lo..hi (inclusive, doc rows ascending), 0 if absent: a
 * binary search. Both the exhaustive scorer (a whole posting list) and window MaxScore (one block) use it.
 */
export function postingTf(
  postingDocs: Uint32Array,
  postingTfs: Uint16Array | Uint32Array,
  lo: number,
  hi: number,
  d: number,
): number {
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const doc = postingDocs[mid];
    if (doc === d) return postingTfs[mid];
    if (doc < d) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Documents with at least one term (Lucene's docCount) and their average length. */
export function corpusStatistics(docLengths: Uint32Array): { documentCount: number; averageLength: number } {
  let totalLength = 0;
  let documentCount = 0;
  for (let d = 0; d < docLengths.length; d++) {
    totalLength += docLengths[d];
    if (docLengths[d] > 0) documentCount++;
  }
  return { documentCount, averageLength: documentCount > 0 ? totalLength / documentCount : 0 };
}

/**
 * Derives the search arrays from CSR postings in one pass (about 1 ns per posting). `shared`: allocate them on
 * SharedArrayBuffers.
 */
export function searchArraysFromCsr(data: Bm25Data, options: { shared?: boolean } = {}): Bm25SearchArrays {
  const alloc = options.shared ? shared : plain;
  const { docLengths, termOffsets, postingDocs, postingTfs, params } = data;
  const termCount = data.terms.length;
  const { documentCount, averageLength: avgdl } = corpusStatistics(docLengths);
  const { k1, b } = params;
  const normOf = (length: number) => k1 * (1 - b + (b * length) / avgdl);
  const norms = alloc(Float64Array, 8 * docLengths.length);
  // The pass below reads each posting's norm at random, which is most of its time once the norms outgrow the
  // caches. It reads a byte per document instead: the length when under LONG, whose norm a table holds (the same
  // expression of the same length, so the same value), else LONG, for which it reads the length itself. On 1M
  // generated passages this made the pass 2.5x faster.
  const lengthCode = new Uint8Array(docLengths.length);
  for (let d = 0; d < docLengths.length; d++) {
    norms[d] = normOf(docLengths[d]);
    lengthCode[d] = Math.min(docLengths[d], LONG);
  }
  const byLength = Float64Array.from({ length: LONG }, (_, l) => normOf(l));
  const idf = alloc(Float64Array, 8 * termCount);
  const blockOffsets = alloc(Uint32Array, 4 * (termCount + 1));
  for (let t = 0; t < termCount; t++) {
    const df = termOffsets[t + 1] - termOffsets[t];
    idf[t] = Math.log(1 + (documentCount - df + 0.5) / (df + 0.5));
    blockOffsets[t + 1] = blockOffsets[t] + ((df + BLOCK_SIZE - 1) >>> BLOCK_SHIFT);
  }
  const blocks = blockOffsets[termCount];
  const blockLastDoc = alloc(Uint32Array, 4 * blocks);
  const blockMax = alloc(Float64Array, 8 * blocks);
  const termMax = alloc(Float64Array, 8 * termCount);
  const termKth = alloc(Float64Array, 8 * termCount);
  const best = new Float64Array(KTH_TERM); // the term's largest contributions so far, ascending
  const postingImpacts = alloc(Uint8Array, postingDocs.length);
  const impactStep = alloc(Float64Array, 8 * termCount);
  for (let t = 0; t < termCount; t++) {
    const w = idf[t];
    const step = (impactStep[t] = impactStepOf(w));
    const end = termOffsets[t + 1];
    let top = 0;
    best.fill(0);
    for (let j = blockOffsets[t], p = termOffsets[t]; p < end; j++) {
      let max = 0;
      for (const stop = Math.min(p + BLOCK_SIZE, end); p < stop; p++) {
        const tf = postingTfs[p];
        const d = postingDocs[p];
        const code = lengthCode[d];
        const s = (w * tf) / (tf + (code < LONG ? byLength[code] : normOf(docLengths[d])));
        postingImpacts[p] = impactOf(s, step);
        if (s > max) max = s;
        if (s > best[0]) {
          let i = 0;
          for (; i + 1 < KTH_TERM && best[i + 1] < s; i++) best[i] = best[i + 1];
          best[i] = s;
        }
      }
      blockLastDoc[j] = postingDocs[p - 1];
      blockMax[j] = max;
      if (max > top) top = max;
    }
    termMax[t] = top;
    termKth[t] = best[0];
  }
  return { norms, idf, blockOffsets, blockLastDoc, blockMax, termMax, termKth, postingImpacts, impactStep };
}
