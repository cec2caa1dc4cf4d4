import { DuplicatePassageIdError } from '@kard/knowledge-base';

// TextEncoder/TextDecoder rather than Buffer: the table also runs in a browser (@kard/retriever/browser).
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of `s` in UTF-8 (a lone surrogate counts as U+FFFD's 3 bytes, as the encoder writes it). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Document ids as one UTF-8 blob with offsets (a JS string per id would cost ~40 bytes each at 21M
 * passages), plus the rows in id order: binary search by id, and `rank` to break score ties by id with an
 * integer compare. Order is JavaScript string order (UTF-16 code units).
 */
export class IdTable {
  /** rank[row] = position of the row's id in ascending id order. */
  readonly rank: Uint32Array;

  constructor(
    readonly bytes: Uint8Array,
    /** size + 1 byte offsets into `bytes`. */
    readonly offsets: Uint32Array,
    /** Rows sorted by id. */
    readonly sortedRows: Uint32Array,
    /** The inverse of `sortedRows`, when already at hand (e.g. shared with a worker thread); computed otherwise. */
    rank?: Uint32Array,
  ) {
    this.rank = rank ?? rankOf(sortedRows);
  }

  /** Packs `ids` (row order). Throws `DuplicatePassageIdError` when an id repeats. */
  static fromStrings(ids: string[]): IdTable {
    const offsets = new Uint32Array(ids.length + 1);
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      total += utf8Length(ids[i]);
      if (total > 0xffffffff) throw new RangeError('document ids exceed 4 GiB of UTF-8');
      offsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    for (let i = 0; i < ids.length; i++) encoder.encodeInto(ids[i], bytes.subarray(offsets[i], offsets[i + 1]));
    const sortedRows = new Uint32Array(ids.length);
    for (let i = 0; i < ids.length; i++) sortedRows[i] = i;
    sortedRows.sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : a - b));
    for (let i = 1; i < sortedRows.length; i++) {
      if (ids[sortedRows[i]] === ids[sortedRows[i - 1]]) {
        const [a, b] = [sortedRows[i - 1], sortedRows[i]];
        throw new DuplicatePassageIdError(ids[a], [Math.min(a, b), Math.max(a, b)]);
      }
    }
    return new IdTable(bytes, offsets, sortedRows);
  }

  get size(): number {
    return this.sortedRows.length;
  }

  get(row: number): string {
    return decoder.decode(this.bytes.subarray(this.offsets[row], this.offsets[row + 1]));
  }

  /** The row of `id`, or -1. */
  rowOf(id: string): number {
    let lo = 0;
    let hi = this.sortedRows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const row = this.sortedRows[mid];
      const other = this.get(row);
      if (other === id) return row;
      if (other < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/**
 * Packs ids as they come, a batch at a time in row order, into what `IdTable.fromStrings` makes of all of them at
 * once: the same bytes, offsets and sorted rows, the same `DuplicatePassageIdError`. Each batch is sorted when it
 * is added and merged with runs of its size (a binary counter of sorted runs), so a caller that adds batches while
 * other threads work leaves `finish` about one merge pass instead of a whole sort.
 */
export class IdTableBuilder {
  private readonly ids: string[] = [];
  private bytes = new Uint8Array(1 << 16);
  private byteLength = 0;
  private offsets = new Uint32Array(1 << 12);
  /** Sorted runs of rows, longest first; each run's rows are sorted by (id, row). */
  private readonly runs: Uint32Array[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Appends `ids` (the next rows, in order). */
  add(ids: string[]): void {
    if (ids.length === 0) return;
    const first = this.ids.length;
    const all = this.ids;
    if (this.offsets.length < first + ids.length + 1) {
      const grown = new Uint32Array(Math.max(2 * this.offsets.length, first + ids.length + 1));
      grown.set(this.offsets.subarray(0, first + 1));
      this.offsets = grown;
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      all.push(id);
      const n = utf8Length(id);
      if (this.byteLength + n > 0xffffffff) throw new RangeError('document ids exceed 4 GiB of UTF-8');
      if (this.byteLength + n > this.bytes.length) {
        const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.byteLength + n));
        grown.set(this.bytes.subarray(0, this.byteLength));
        this.bytes = grown;
      }
      encoder.encodeInto(id, this.bytes.subarray(this.byteLength, this.byteLength + n));
      this.byteLength += n;
      this.offsets[first + i + 1] = this.byteLength;
    }
    const run = new Uint32Array(ids.length);
    for (let i = 0; i < run.length; i++) run[i] = first + i;
    run.sort((a, b) => (all[a] < all[b] ? -1 : all[a] > all[b] ? 1 : a - b));
    this.runs.push(run);
    // merge while the last run is at least as long as the one before it: runs stay O(log n), each row merged
    // O(log n) times, as a sort would
    while (this.runs.length > 1 && this.runs[this.runs.length - 1].length >= this.runs[this.runs.length - 2].length) {
      const b = this.runs.pop()!;
      const a = this.runs.pop()!;
      this.runs.push(this.merge(a, b));
    }
  }

  /** The table; throws `DuplicatePassageIdError` when an id repeats (as `IdTable.fromStrings` would). */
  finish(): IdTable {
    while (this.runs.length > 1) {
      const b = this.runs.pop()!;
      const a = this.runs.pop()!;
      this.runs.push(this.merge(a, b));
    }
    const ids = this.ids;
    const sortedRows = this.runs[0] ?? new Uint32Array(0);
    for (let i = 1; i < sortedRows.length; i++) {
      if (ids[sortedRows[i]] === ids[sortedRows[i - 1]]) {
        const [a, b] = [sortedRows[i - 1], sortedRows[i]];
        throw new DuplicatePassageIdError(ids[a], [Math.min(a, b), Math.max(a, b)]);
      }
    }
    const n = ids.length;
    return new IdTable(this.bytes.slice(0, this.byteLength), this.offsets.slice(0, n + 1), sortedRows);
  }

  /** Two sorted runs as one, by (id, row). */
  private merge(a: Uint32Array, b: Uint32Array): Uint32Array {
    const ids = this.ids;
    const out = new Uint32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < b.length) {
      const x = ids[a[i]];
      const y = ids[b[j]];
      if (x < y || (x === y && a[i] < b[j])) out[k++] = a[i++];
      else out[k++] = b[j++];
    }
    while (i < a.length) out[k++] = a[i++];
    while (j < b.length) out[k++] = b[j++];
    return out;
  }
}

/** The inverse of `sortedRows` (rank[row] = its position in id order), written into `into` (a fresh array by default). */
export function rankOf(sortedRows: Uint32Array, into: Uint32Array = new Uint32Array(sortedRows.length)): Uint32Array {
  for (let i = 0; i < sortedRows.length; i++) into[sortedRows[i]] = i;
  return into;
}
