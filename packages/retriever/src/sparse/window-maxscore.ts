// Exact top-k by MaxScore over windows of documents, block maxima as the bounds (the shape of Lucene's
// MaxScoreBulkScorer): inside a window the "essential" terms' postings are summed term-at-a-time into a small
// accumulator indexed from the window's start, and the other terms are looked up only for documents whose bound
// still reaches the k-th best score.
//
// What is summed while filtering is each posting's impact byte (bm25-blocks.ts: its contribution rounded up to
// the term's step), not the contribution itself: that reads no per-document norm, whose random accesses (a cache
// miss per posting once the postings are sparse in the window) cost more than everything else together. The sums
// are upper bounds, so the filter stays safe; a document left after it is scored exactly, from its term
// frequencies and norm, as the exhaustive scorer scores it.
//
// A window goes through four passes, each a tight loop over one array (on 1M generated passages with StrategyQA
// questions, with the window floor and the primed threshold below, about 1.5x over one loop that did it all):
//   1. the largest non-essential slot's impacts into the accumulator;
//   2. the essential slots' impacts into the accumulator;
//   3. over the essential postings again, a bit for each document whose bound (its sum and the other non-essential
//      slots' maxima) reaches the threshold, and the sum zeroed for the others: without a branch, and most
//      documents of a frequent essential term stop here;
//   4. those documents in row order: the other non-essential slots looked up, then the exact score;
// and the sums step 1 left on documents no essential slot holds are zeroed.
// For k <= KTH_TERM the threshold starts at the largest of the query terms' KTH_TERM-th best contributions
// (`termKth`), a score that KTH_TERM documents reach for certain, so the first windows already prune.
import { BLOCK_SHIFT, BLOCK_SIZE, type Bm25SearchArrays, KTH_TERM, postingTf } from './bm25-blocks';
import type { Bm25Data } from './bm25-data';
import { TopK } from './top-k';

/**
 * Bounds are sums of float64 maxima taken in another order than the score's own sum, so they may fall a few ulps
 * below a score they bound. Widening every bound by this relative margin keeps pruning safe (a query would need
 * about 10^7 terms for the rounding to reach it); it only costs a few documents scored in vain.
 */
const SLACK = 1 + 1e-9;

/**
 * Documents per window at most: the accumulator and candidate bits of a window stay in the L2 cache (512 KiB and
 * 8 KiB) and are reused from window to window.
 */
const WINDOW_DOCS = 1 << 16;

/**
 * Documents per window at least (unless the index ends first). A window otherwise ends where a block of a slot that
 * could lift a document to the threshold ends, which on large indexes makes windows of a few thousand documents:
 * each costs a pass over every slot's blocks, and on 1M generated passages 16,384 documents was the fastest of
 * 4,096 to 65,536 (1.2x over none for questions, 1.6x for rationales).
 */
const WINDOW_MIN_DOCS = 1 << 14;

/** Per-query scratch, in slots (one per distinct query term); reused between queries of one thread. */
class Slots {
  mult = new Float64Array(16);
  weight = new Float64Array(16);
  termMax = new Float64Array(16);
  /** First posting of the term, its end, its first block, its end block. */
  start = new Uint32Array(16);
  end = new Uint32Array(16);
  blockBase = new Uint32Array(16);
  blockEnd = new Uint32Array(16);
  /** Next posting not yet passed, and the first block whose last document is >= the window's start. */
  pos = new Uint32Array(16);
  block = new Uint32Array(16);
  /** Where the slot's scan of this window began (an essential slot's postings are read twice). */
  scanFrom = new Uint32Array(16);
  /** This window's bound per slot; the slots ordered by it ascending, and the prefix sums in that order. */
  bound = new Float64Array(16);
  order = new Uint32Array(16);
  cum = new Float64Array(16);
  contrib = new Float64Array(16);
  /** The slot's impact step times its multiplicity: an impact byte times this bounds its share of a score. */
  unit = new Float64Array(16);

  reserve(n: number): void {
    if (n <= this.mult.length) return;
    for (const key of Object.keys(this) as (keyof Slots)[]) {
      const a = this[key] as Float64Array | Uint32Array;
      (this as Record<string, unknown>)[key] = new (a.constructor as new (n: number) => typeof a)(2 * n);
    }
  }
}

export class WindowMaxScore {
  private readonly slots = new Slots();
  /** Impact-bound sums of the window's documents, by document - window start; all zero between windows. */
  private acc?: Float64Array;
  /** One bit per document of the window: those whose bound reaches the threshold. All zero between windows. */
  private bits?: Int32Array;

  constructor(
    private readonly data: Bm25Data,
    private readonly arrays: Bm25SearchArrays,
  ) {}

  /**
   * The k best documents for the query given as term ids in query order (repeats kept). A document that can
   * enter the top k is scored again exactly as the exhaustive scorer sums: contributions in query-token order.
   */
  topK(tokens: number[], k: number): TopK {
    const { termOffsets, postingDocs, ids } = this.data;
    const { norms, idf, blockOffsets, blockLastDoc, blockMax, termMax, termKth, postingImpacts, impactStep } =
      this.arrays;
    const none = this.data.docLengths.length;
    // sized on first use: at most one window, and no larger than the index (a small index never needs 1 MiB)
    const span = Math.min(WINDOW_DOCS, none);
    const acc = (this.acc ??= new Float64Array(span));
    const bits = (this.bits ??= new Int32Array((span + 31) >>> 5));
    const S = this.slots;

    const distinct: number[] = [];
    const tokenSlot = new Uint32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      let s = distinct.indexOf(tokens[i]);
      if (s < 0) s = distinct.push(tokens[i]) - 1;
      tokenSlot[i] = s;
    }
    const n = distinct.length;
    S.reserve(n);
    const { mult, weight, start, end, blockBase, blockEnd, pos, block, scanFrom, bound, order, cum, contrib, unit } = S;
    let matching = 0;
    for (let j = 0; j < n; j++) {
      const t = distinct[j];
      mult[j] = 0;
      weight[j] = idf[t];
      start[j] = pos[j] = termOffsets[t];
      end[j] = termOffsets[t + 1];
      blockBase[j] = block[j] = blockOffsets[t];
      blockEnd[j] = blockOffsets[t + 1];
      matching += termOffsets[t + 1] - termOffsets[t];
    }
    for (let i = 0; i < tokens.length; i++) mult[tokenSlot[i]]++;
    // k documents score at least any term's k-th best contribution (times its repeats): a threshold to start from,
    // a little below that so the float sums of those documents' scores stay above it
    let threshold = 0;
    for (let j = 0; j < n; j++) {
      S.termMax[j] = mult[j] * termMax[distinct[j]];
      unit[j] = mult[j] * impactStep[distinct[j]];
      if (k <= KTH_TERM) threshold = Math.max(threshold, (mult[j] * termKth[distinct[j]]) / (SLACK * SLACK));
    }
    const top = new TopK(Math.max(1, Math.min(k, matching, none)), ids.rank);

    for (let from = 0; from < none;) {
      // Each slot's first block reaching `from`. The window ends at the first block end among the slots that
      // could lift a document to the threshold on their own bound (all slots until the top k fills), but not
      // before WINDOW_MIN_DOCS.
      let live = 0;
      for (let j = 0; j < n; j++) {
        let b = block[j];
        const bEnd = blockEnd[j];
        while (b < bEnd && blockLastDoc[b] < from) b++;
        block[j] = b;
        if (b === bEnd) continue;
        let i = live++;
        while (i > 0 && S.termMax[order[i - 1]] > S.termMax[j]) {
          order[i] = order[i - 1];
          i--;
        }
        order[i] = j;
      }
      if (live === 0) break;
      let upTo = Math.min(none - 1, from + WINDOW_DOCS - 1);
      let sum = 0;
      for (let i = 0; i < live; i++) {
        const j = order[i];
        sum += S.termMax[j];
        if (sum * SLACK >= threshold && blockLastDoc[block[j]] < upTo) upTo = blockLastDoc[block[j]];
      }
      upTo = Math.max(upTo, Math.min(none - 1, from + WINDOW_MIN_DOCS - 1));
      // Window bounds: the largest block maximum of each slot over the blocks meeting [from, upTo].
      live = 0;
      for (let j = 0; j < n; j++) {
        const bEnd = blockEnd[j];
        let b = block[j];
        if (b === bEnd) continue;
        let max = blockMax[b];
        while (blockLastDoc[b] < upTo && ++b < bEnd) if (blockMax[b] > max) max = blockMax[b];
        bound[j] = max * mult[j];
        let i = live++;
        while (i > 0 && bound[order[i - 1]] > bound[j]) {
          order[i] = order[i - 1];
          i--;
        }
        order[i] = j;
      }
      sum = 0;
      for (let i = 0; i < live; i++) cum[i] = sum += bound[order[i]];
      let essential = 0;
      while (essential < live && cum[essential] * SLACK < threshold) essential++;
      for (let i = 0; i < essential; i++) {
        const j = order[i];
        const p = start[j] + ((block[j] - blockBase[j]) << BLOCK_SHIFT);
        if (p > pos[j]) pos[j] = p;
      }
      if (essential === live) {
        from = upTo + 1; // no slot can reach the threshold here
        continue;
      }

      // 1. The non-essential slot with the largest bound: its impacts in the window into the sums, instead of a
      // cursor walked from candidate to candidate.
      const first = essential > 0 ? order[essential - 1] : -1;
      const firstFrom = first >= 0 ? pos[first] : 0;
      if (first >= 0)
        pos[first] = addImpacts(postingDocs, postingImpacts, acc, firstFrom, end[first], from, upTo, unit[first]);
      // 2. The essential slots' impacts into acc.
      let scanned = false;
      for (let i = essential; i < live; i++) {
        const j = order[i];
        let p = start[j] + ((block[j] - blockBase[j]) << BLOCK_SHIFT);
        if (p < pos[j]) p = pos[j];
        scanFrom[j] = p;
        pos[j] = addImpacts(postingDocs, postingImpacts, acc, p, end[j], from, upTo, unit[j]);
        if (pos[j] > p) scanned = true;
      }
      // 3. Bits for the documents whose bound reaches the threshold: the sum and the maxima of the slots looked up
      // in step 4.
      const lookedUp = essential >= 2 ? cum[essential - 2] : 0;
      if (scanned)
        for (let i = essential; i < live; i++) {
          const j = order[i];
          markReaching(postingDocs, acc, bits, scanFrom[j], pos[j], from, threshold / SLACK - lookedUp);
        }
      // 4. Those documents in row order, so each looked-up slot's cursor only moves forward. Bits and
      // accumulator are zeroed as they are read.
      const words = scanned ? ((upTo - from) >>> 5) + 1 : 0;
      for (let wi = 0; wi < words; wi++) {
        let word = bits[wi];
        if (word === 0) continue;
        bits[wi] = 0;
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          const r = (wi << 5) + 31 - Math.clz32(low);
          const d = from + r;
          let score = acc[r];
          acc[r] = 0;
          // the threshold may have risen since step 3
          let alive = (score + lookedUp) * SLACK >= threshold;
          for (let i = essential - 2; alive && i >= 0; i--) {
            if ((score + cum[i]) * SLACK < threshold) {
              alive = false;
              break;
            }
            const j = order[i];
            let p = pos[j];
            if (p < end[j] && postingDocs[p] < d) {
              // Whole blocks first, then postings; a slot may end before the window does.
              let b = blockBase[j] + ((p - start[j]) >>> BLOCK_SHIFT);
              if (blockLastDoc[b] < d) {
                do b++;
                while (b < blockEnd[j] && blockLastDoc[b] < d);
                p = b === blockEnd[j] ? end[j] : start[j] + ((b - blockBase[j]) << BLOCK_SHIFT);
              }
              if (p < end[j]) while (postingDocs[p] < d) p++; // stops in block b: its last document is >= d
              pos[j] = p;
            }
            if (p < end[j] && postingDocs[p] === d) score += postingImpacts[p] * unit[j];
          }
          if (!alive || score * SLACK < threshold) continue;
          // The exact score, summed as the exhaustive scorer sums: contributions in query-token order, a repeated
          // token each time.
          const norm = norms[d];
          for (let j = 0; j < n; j++) {
            const tf = block[j] === blockEnd[j] ? 0 : tfAt(this.data, blockLastDoc, S, j, d);
            contrib[j] = tf > 0 ? (weight[j] * tf) / (tf + norm) : 0;
          }
          let exact = 0;
          for (let i = 0; i < tokenSlot.length; i++) exact += contrib[tokenSlot[i]];
          top.offer(d, exact);
          // The split stays for the window (its scanned slots are in the accumulator); the new threshold prunes.
          if (top.size === top.k && top.scores[0] > threshold) threshold = top.scores[0];
        }
      }
      // the sums step 1 left, zeroed where they were written: fewer postings than the window has documents
      if (first >= 0)
        for (let p = firstFrom, e = pos[first]; p < e; p++) if (postingDocs[p] >= from) acc[postingDocs[p] - from] = 0;
      from = upTo + 1;
    }
    return top;
  }
}

/** Term frequency of document d in slot j (0 if absent); d lies in a block at or after the slot's current one. */
function tfAt(data: Bm25Data, blockLastDoc: Uint32Array, S: Slots, j: number, d: number): number {
  let b = S.block[j];
  const bEnd = S.blockEnd[j];
  while (b < bEnd && blockLastDoc[b] < d) b++;
  if (b === bEnd) return 0;
  const lo = S.start[j] + ((b - S.blockBase[j]) << BLOCK_SHIFT);
  return postingTf(data.postingDocs, data.postingTfs, lo, Math.min(lo + BLOCK_SIZE, S.end[j]) - 1, d);
}

/** Adds impact * unit into acc[d - from] for the postings from p on with documents in [from, upTo]; returns the
 * first posting past upTo. */
function addImpacts(
  docs: Uint32Array,
  impacts: Uint8Array,
  acc: Float64Array,
  p: number,
  end: number,
  from: number,
  upTo: number,
  unit: number,
): number {
  for (; p < end; p++) {
    const d = docs[p];
    if (d > upTo) break;
    if (d >= from) acc[d - from] += impacts[p] * unit;
  }
  return p;
}

/**
 * For the postings p..end - 1 (documents up to the window's end): sets the bit of each document whose sum reaches
 * `gate`, and zeroes the sum of the others (their bit stays clear). A document held by several slots is judged on
 * its whole sum each time, so the verdicts agree.
 */
function markReaching(
  docs: Uint32Array,
  acc: Float64Array,
  bits: Int32Array,
  p: number,
  end: number,
  from: number,
  gate: number,
): void {
  for (; p < end; p++) {
    const d = docs[p];
    if (d < from) continue;
    const r = d - from;
    const s = acc[r];
    const reach = s >= gate ? 1 : 0;
    acc[r] = s * reach;
    bits[r >>> 5] |= reach << (r & 31);
  }
}
