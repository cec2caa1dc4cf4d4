/**
 * The id → row table of a passage store: one 64-bit entry per passage, `hash32(id) << 32 | row`, sorted.
 *
 * Sorting packed entries lets the typed array sort natively (no comparator, no per-entry objects), and the file
 * loads as a Uint32Array of (row, hash) word pairs for lookups with plain number comparisons. A 32-bit hash
 * collides rarely at 21M ids (about 0.5% of lookups see a second candidate); candidates are verified against the
 * stored id, so collisions cost a read, never a wrong answer.
 */

/** FNV-1a over the UTF-16 code units of the id, 32 bits. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function packEntry(hash: number, row: number): bigint {
  return (BigInt(hash) << 32n) | BigInt(row);
}

/** Rows whose id hashes to `hash`, in ascending row order, from the sorted table viewed as (row, hash) words. */
export function candidateRows(words: Uint32Array, hash: number): number[] {
  const n = words.length >>> 1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[2 * mid + 1] < hash) lo = mid + 1;
    else hi = mid;
  }
  const rows: number[] = [];
  for (let i = lo; i < n && words[2 * i + 1] === hash; i++) rows.push(words[2 * i]);
  return rows;
}

/** Runs of entries that share a hash, as [start, end) index pairs: the only places duplicates can hide. */
export function* equalHashRuns(words: Uint32Array): Generator<[number, number]> {
  const n = words.length >>> 1;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && words[2 * j + 1] === words[2 * i + 1]) j++;
    if (j - i > 1) yield [i, j];
    i = j;
  }
}
