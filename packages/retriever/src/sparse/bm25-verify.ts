// What loading an index checks beyond sizes: the bytes (a crc32 per array file, recorded at save) and the
// structure the search loop trusts without bounds checks. A flipped byte or a zeroed block of the same size
// would otherwise give wrong rankings silently: a document row out of range scores nothing, a zero term
// frequency lets one document enter the top-k twice.
import type { Bm25Data } from './bm25-data';
import { IndexFormatError } from './errors';

export type TypedArray = Uint8Array | Uint16Array | Uint32Array;

/** The file names of the arrays, for messages. */
export interface Bm25FileNames {
  idOffsets: string;
  idOrder: string;
  docLengths: string;
  termOffsets: string;
  postingDocs: string;
  postingTfs: string;
  terms: string;
  ids: string;
}

/**
 * Checks what search relies on, in one pass over the postings: id offsets and term offsets ascending and
 * ending at their arrays' ends, the id order a permutation of the rows, every posting's document a row of the
 * index and ascending within its term, every term frequency >= 1, and each document's length equal to the sum
 * of its term frequencies. Throws `IndexFormatError` naming the file and the first bad entry.
 *
 * The lengths are compared through two weighted sums, sum(tf * h(doc)) over the postings against
 * sum(length * h(doc)) over the documents (mod 2^32, h a hash of the row): read in order, where summing each
 * document's frequencies would write to a random document per posting (8.5 s of a 5M-passage load). Lengths that
 * differ make the sums differ unless the differences cancel under the hash (about 2^-32 for a given difference,
 * on top of the files' crc32); only then is the document found, for the message.
 */
export function checkBm25Structure(dir: string, d: Bm25Data, files: Bm25FileNames): void {
  const fail = (file: string, reason: string): never => {
    throw new IndexFormatError(dir, `${file} is corrupt: ${reason} (rebuild the index)`);
  };
  const n = d.docLengths.length;
  const { offsets, sortedRows, bytes } = d.ids;
  if (offsets.length !== n + 1) fail(files.idOffsets, `${offsets.length} offsets for ${n} documents`);
  if (offsets[0] !== 0) fail(files.idOffsets, `the first offset is ${offsets[0]}, not 0`);
  for (let i = 0; i < n; i++)
    if (offsets[i + 1] < offsets[i]) fail(files.idOffsets, `offset ${i + 1} (${offsets[i + 1]}) is below offset ${i}`);
  if (offsets[n] !== bytes.length)
    fail(files.idOffsets, `the last offset is ${offsets[n]}, but ${files.ids} has ${bytes.length} bytes`);
  if (sortedRows.length !== n) fail(files.idOrder, `${sortedRows.length} rows for ${n} documents`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = sortedRows[i];
    if (row >= n) fail(files.idOrder, `entry ${i} names row ${row}; the index has ${n} documents`);
    if (seen[row]) fail(files.idOrder, `row ${row} appears twice`);
    seen[row] = 1;
  }

  const { termOffsets, postingDocs, postingTfs, terms } = d;
  const postings = postingDocs.length;
  if (postingTfs.length !== postings)
    fail(files.postingTfs, `${postingTfs.length} term frequencies for ${postings} postings`);
  if (termOffsets[0] !== 0) fail(files.termOffsets, `the first offset is ${termOffsets[0]}, not 0`);
  if (termOffsets[terms.length] !== postings)
    fail(files.termOffsets, `the last offset is ${termOffsets[terms.length]}, but there are ${postings} postings`);
  let fromPostings = 0;
  for (let t = 0; t < terms.length; t++) {
    const start = termOffsets[t];
    const end = termOffsets[t + 1];
    if (end < start || end > postings)
      fail(files.termOffsets, `term ${t} ("${terms[t]}") spans postings ${start}..${end} of ${postings}`);
    let previous = -1;
    for (let p = start; p < end; p++) {
      const doc = postingDocs[p];
      if (doc >= n)
        fail(files.postingDocs, `posting ${p} (term "${terms[t]}") names row ${doc}; the index has ${n} documents`);
      if (doc <= previous)
        fail(files.postingDocs, `the documents of term "${terms[t]}" are not ascending at posting ${p}`);
      previous = doc;
      const tf = postingTfs[p];
      if (tf < 1)
        fail(files.postingTfs, `posting ${p} (term "${terms[t]}", document ${d.ids.get(doc)}) has term frequency 0`);
      fromPostings = (fromPostings + Math.imul(tf, rowHash(doc))) | 0;
    }
  }
  let fromLengths = 0;
  for (let doc = 0; doc < n; doc++) fromLengths = (fromLengths + Math.imul(d.docLengths[doc], rowHash(doc))) | 0;
  if (fromLengths === fromPostings) return;
  const lengths = new Uint32Array(n);
  for (let p = 0; p < postings; p++) lengths[postingDocs[p]] += postingTfs[p];
  for (let doc = 0; doc < n; doc++) {
    if (lengths[doc] !== d.docLengths[doc]) {
      fail(
        files.docLengths,
        `document ${d.ids.get(doc)} has length ${d.docLengths[doc]}, but its term frequencies sum to ${lengths[doc]}`,
      );
    }
  }
}

/** A 32-bit mix of a row (lowbias32): the weights of the length checksum. */
function rowHash(row: number): number {
  let x = (row ^ 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return x ^ (x >>> 16);
}

/**
 * Checks that cost more than loading should pay (string compares over every id and term): ids strictly ascending
 * in id order (so unique), terms unique and non-empty. Returns the problems found, empty when none.
 */
export function deepCheckBm25(d: Bm25Data, files: Bm25FileNames): string[] {
  const problems: string[] = [];
  const { sortedRows } = d.ids;
  for (let i = 1; i < sortedRows.length; i++) {
    const a = d.ids.get(sortedRows[i - 1]);
    const b = d.ids.get(sortedRows[i]);
    if (!(a < b)) {
      problems.push(
        `${files.idOrder}: ids out of order or repeated at entry ${i} (${JSON.stringify(a)}, ${JSON.stringify(b)})`,
      );
      break;
    }
  }
  const seen = new Set<string>();
  for (let t = 0; t < d.terms.length; t++) {
    const term = d.terms[t];
    if (term === '' || seen.has(term)) {
      problems.push(`${files.terms}: term ${t} is ${term === '' ? 'empty' : `a repeat of "${term}"`}`);
      break;
    }
    seen.add(term);
  }
  return problems;
}
