import { DuplicatePassageIdError } from '@kard/knowledge-base';

/**
 * Document ids as one UTF-8 blob with offsets (a JS string per id would cost ~40 bytes each at 21M
 * passages), plus the rows in id order: binary search by id, and `rank` to break score ties by id with an
 * integer compare. Order is JavaScript string order (UTF-16 code units).
 */
export class IdTable {
  /** rank[row] = position of the row's id in ascending id order. */
  readonly rank: Uint32Array;
  private readonly buffer: Buffer;

  constructor(
    readonly bytes: Uint8Array,
    /** size + 1 byte offsets into `bytes`. */
    readonly offsets: Uint32Array,
    /** Rows sorted by id. */
    readonly sortedRows: Uint32Array,
    /** Where to put `rank` (e.g. a SharedArrayBuffer's view); a fresh array by default. */
    rank: Uint32Array = new Uint32Array(sortedRows.length),
  ) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.rank = rank;
    for (let i = 0; i < sortedRows.length; i++) this.rank[sortedRows[i]] = i;
  }

  /** Packs `ids` (row order). Throws `DuplicatePassageIdError` when an id repeats. */
  static fromStrings(ids: string[]): IdTable {
    const offsets = new Uint32Array(ids.length + 1);
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      total += Buffer.byteLength(ids[i], 'utf8');
      if (total > 0xffffffff) throw new RangeError('document ids exceed 4 GiB of UTF-8');
      offsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    const buffer = Buffer.from(bytes.buffer);
    for (let i = 0; i < ids.length; i++) buffer.write(ids[i], offsets[i], 'utf8');
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
    return this.buffer.toString('utf8', this.offsets[row], this.offsets[row + 1]);
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
