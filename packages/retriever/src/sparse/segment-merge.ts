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
 * Merges spilled segments into one term-major index, equal to what the single-threaded builder makes of the same
 * documents: terms in order of first appearance (the smallest (batch, token position) over all segments holding
 * the term), each term's postings in row order (records are copied batch by batch in input order, a counting
 * sort). Memory: the final arrays, the term dictionary and one record at a time.
 */
export function mergeSegments(segments: SegmentInfo[], records: BatchRecord[]): MergedPostings {
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
  for (const [segment, map] of localToUnion) {
    for (let i = 0; i < map.length; i++) map[i] = unionToGlobal[map[i]];
    localToUnion.set(segment, map);
  }
  // 3. Postings, batch by batch in input order.
  let maxTf = 0;
  for (const r of records) if (r.maxTf > maxTf) maxTf = r.maxTf;
  const postingDocs = new Uint32Array(total);
  const postingTfs = maxTf <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
  const cursor = termOffsets.slice(0, termCount);
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const fds = new Map<string, number>();
  let base = 0; // the global row of the batch's first document (records hold rows within their batch)
  try {
    for (const r of sorted) {
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
      const map = localToUnion.get(r.segment);
      if (map === undefined) throw new Error(`segment ${r.segment} of batch ${r.seq} has no vocabulary`);
      const docsAt = RECORD_HEADER_WORDS + 2 * nTerms;
      const tfs =
        tfBytes === 2 ? new Uint16Array(buf, (docsAt + postings) * 4, postings) : u32.subarray(docsAt + postings);
      let p = docsAt;
      let q = 0;
      for (let i = 0; i < nTerms; i++) {
        const g = map[u32[RECORD_HEADER_WORDS + i]];
        let at = cursor[g];
        for (let end = q + u32[RECORD_HEADER_WORDS + nTerms + i]; q < end; q++, p++, at++) {
          postingDocs[at] = first + u32[p];
          postingTfs[at] = tfs[q];
        }
        cursor[g] = at;
      }
    }
  } finally {
    for (const fd of fds.values()) fs.closeSync(fd);
  }
  return { terms, termOffsets, postingDocs, postingTfs };
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
