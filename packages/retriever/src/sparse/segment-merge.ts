import * as fs from 'node:fs';
import {
  type BatchRecord,
  readVocabulary,
  RECORD_HEADER_WORDS,
  RECORD_MAGIC,
  type SegmentInfo,
} from './segment-writer';

export interface MergedPostings {
  terms: string[];
  termOffsets: Uint32Array;
  postingDocs: Uint32Array;
  postingTfs: Uint16Array | Uint32Array;
}

/**
 * What copying the postings needs, computed from the segment vocabularies alone: the final terms and their
 * postings offsets, and per segment its local term ids mapped to global ones.
 */
export interface MergePlan {
  terms: string[];
  termOffsets: Uint32Array;
  /** Segment name -> global term id of each of its local terms. */
  globalIds: Map<string, Uint32Array>;
  /** The records, in input order (seq). */
  records: BatchRecord[];
  maxTf: number;
}

/**
 * Merges spilled segments into one term-major index, equal to what the single-threaded builder makes of the same
 * documents: terms in order of first appearance (the smallest (batch, token position) over all segments holding
 * the term), each term's postings in row order (records are copied batch by batch in input order, a counting
 * sort). Memory: the final arrays, the term dictionary and one record at a time.
 */
export function mergeSegments(segments: SegmentInfo[], records: BatchRecord[]): MergedPostings {
  const plan = planMerge(segments, records);
  const total = plan.termOffsets[plan.terms.length];
  const postingDocs = new Uint32Array(total);
  const postingTfs = plan.maxTf <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
  copyPostings(plan, 0, plan.terms.length, postingDocs, postingTfs);
  return { terms: plan.terms, termOffsets: plan.termOffsets, postingDocs, postingTfs };
}

/** Term ranges [from, to) of about equal postings, one per part: the parts `copyPostings` can fill at once. */
export function splitTerms(termOffsets: Uint32Array, parts: number): [number, number][] {
  const termCount = termOffsets.length - 1;
  const total = termOffsets[termCount];
  const out: [number, number][] = [];
  let from = 0;
  for (let p = 1; p <= parts; p++) {
    let to = termCount;
    if (p < parts) {
      // the first term whose postings start at or past p/parts of all postings
      const goal = (total * p) / parts;
      let lo = from;
      let hi = termCount;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (termOffsets[mid] < goal) lo = mid + 1;
        else hi = mid;
      }
      to = lo;
    }
    out.push([from, to]);
    from = to;
  }
  return out;
}

/** Steps 1 and 2 of the merge: the union of the segment vocabularies and each term's global id and postings offset. */
export function planMerge(segments: SegmentInfo[], records: BatchRecord[]): MergePlan {
  // 1. The union of the segment vocabularies, each term's first appearance and total document frequency.
  const unionOf = new Map<string, number>();
  const unionTerms: string[] = [];
  let firstKey = new Float64Array(1 << 16);
  let df = new Float64Array(1 << 16);
  const localToUnion = new Map<string, Uint32Array>();
  for (const s of segments) {
    const v = readVocabulary(s.file);
    const map = new Uint32Array(v.terms.length);
    for (let i = 0; i < v.terms.length; i++) {
      const key = v.firstSeq[i] * 0x100000000 + v.firstPos[i];
      let u = unionOf.get(v.terms[i]);
      if (u === undefined) {
        u = unionTerms.length;
        unionTerms.push(v.terms[i]);
        unionOf.set(v.terms[i], u);
        if (u === firstKey.length) {
          const k = new Float64Array(u * 2);
          k.set(firstKey);
          firstKey = k;
          const d = new Float64Array(u * 2);
          d.set(df);
          df = d;
        }
        firstKey[u] = key;
      } else if (key < firstKey[u]) firstKey[u] = key;
      df[u] += v.df[i];
      map[i] = u;
    }
    localToUnion.set(s.segment, map);
  }
  unionOf.clear();
  // 2. Global ids in first-appearance order: rank of each term's key (keys are distinct: one token, one term).
  const termCount = unionTerms.length;
  const sortedKeys = firstKey.slice(0, termCount).sort();
  const unionToGlobal = new Uint32Array(termCount);
  const terms = new Array<string>(termCount);
  const termOffsets = new Uint32Array(termCount + 1);
  for (let u = 0; u < termCount; u++) {
    const g = lowerBound(sortedKeys, firstKey[u]);
    unionToGlobal[u] = g;
    terms[g] = unionTerms[u];
  }
  for (let u = 0; u < termCount; u++) termOffsets[unionToGlobal[u] + 1] = df[u];
  let total = 0;
  for (let g = 0; g < termCount; g++) {
    total += termOffsets[g + 1];
    if (total > 0xffffffff) throw new RangeError(`${total} postings exceed one index segment (2^32)`);
    termOffsets[g + 1] = total;
  }
  for (const map of localToUnion.values()) for (let i = 0; i < map.length; i++) map[i] = unionToGlobal[map[i]];
  let maxTf = 0;
  for (const r of records) if (r.maxTf > maxTf) maxTf = r.maxTf;
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  return { terms, termOffsets, globalIds: localToUnion, records: sorted, maxTf };
}

/**
 * Step 3: copies the postings of the global terms [from, to) into `postingDocs` / `postingTfs`, batch by batch in
 * input order. Copies of disjoint ranges may run at once (in worker threads, on shared arrays).
 */
export function copyPostings(
  plan: Pick<MergePlan, 'termOffsets' | 'globalIds' | 'records'>,
  from: number,
  to: number,
  postingDocs: Uint32Array,
  postingTfs: Uint16Array | Uint32Array,
): void {
  const cursor = plan.termOffsets.slice(0, plan.termOffsets.length - 1);
  const fds = new Map<string, number>();
  let base = 0; // the global row of the batch's first document (records hold rows within their batch)
  try {
    for (const r of plan.records) {
      const first = base;
      base += r.documents;
      let fd = fds.get(r.file);
      if (fd === undefined) fds.set(r.file, (fd = fs.openSync(r.file, 'r')));
      const buf = new ArrayBuffer(r.bytes);
      const got = fs.readSync(fd, new Uint8Array(buf), 0, r.bytes, r.offset);
      const u32 = new Uint32Array(buf);
      if (got !== r.bytes || u32[0] !== RECORD_MAGIC || u32[1] !== r.seq)
        throw new Error(`segment file ${r.file} is damaged at batch ${r.seq} (was it changed during the build?)`);
      const nTerms = u32[4];
      const postings = u32[5];
      const tfBytes = u32[7];
      if (nTerms === 0) continue; // a batch of documents without terms (its segment may have none either)
      const map = plan.globalIds.get(r.segment);
      if (map === undefined) throw new Error(`segment ${r.segment} of batch ${r.seq} has no vocabulary`);
      const docsAt = RECORD_HEADER_WORDS + 2 * nTerms;
      const tfs =
        tfBytes === 2 ? new Uint16Array(buf, (docsAt + postings) * 4, postings) : u32.subarray(docsAt + postings);
      let p = docsAt;
      let q = 0;
      for (let i = 0; i < nTerms; i++) {
        const g = map[u32[RECORD_HEADER_WORDS + i]];
        const count = u32[RECORD_HEADER_WORDS + nTerms + i];
        if (g < from || g >= to) {
          p += count;
          q += count;
          continue;
        }
        let at = cursor[g];
        for (const end = q + count; q < end; q++, p++, at++) {
          postingDocs[at] = first + u32[p];
          postingTfs[at] = tfs[q];
        }
        cursor[g] = at;
      }
    }
  } finally {
    for (const fd of fds.values()) fs.closeSync(fd);
  }
}

function lowerBound(sorted: Float64Array, key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
