import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { PassageStoreError } from '../errors';
import type { Passage } from '../passage';
import type { PassageLookup } from '../passage-lookup';
import { type BuildStoreOptions, writeStore } from './build-store';
import { candidateRows, hashId } from './id-table';
import {
  assertLittleEndian,
  DATA_FILE,
  IDS_FILE,
  OFFSETS_FILE,
  readInto,
  readManifest,
  type StoreManifest,
} from './layout';

/** Sequential iteration reads this many bytes of records per system call. */
const SCAN_BLOCK = 4 << 20;

/**
 * Passages on disk with random access by row and by id.
 *
 * Memory is 16 bytes per passage (byte offsets and the id table), whatever the text length: records are read
 * from the data file with positional reads when asked for. 21M Wikipedia passages take about 340 MB.
 *
 * @example
 * const store = await PassageStore.build(readPassages('corpus.jsonl'), 'corpus.store');
 * store.get('Genghis_Khan-15')?.text;
 * store.close();
 */
export class PassageStore implements PassageLookup {
  /** Number of passages. */
  readonly size: number;
  private fd: number | undefined;
  private readonly offsets: BigUint64Array;
  /** The sorted id table viewed as (row, hash) uint32 pairs. */
  private readonly idWords: Uint32Array;
  private buf = Buffer.allocUnsafe(64 << 10);

  private constructor(
    readonly dir: string,
    readonly manifest: StoreManifest,
  ) {
    this.size = manifest.size;
    this.offsets = new BigUint64Array(this.size + 1);
    readInto(path.join(dir, OFFSETS_FILE), this.offsets);
    this.idWords = new Uint32Array(this.size * 2);
    readInto(path.join(dir, IDS_FILE), this.idWords);
    if (this.offsets[0] !== 0n || Number(this.offsets[this.size]) !== manifest.files[DATA_FILE]) {
      throw new PassageStoreError(dir, `${OFFSETS_FILE} does not match ${DATA_FILE} (corrupt)`);
    }
    this.fd = openSync(path.join(dir, DATA_FILE), 'r');
  }

  /**
   * Builds a store by streaming `source` into `dir` (atomically: temp folder, then rename) and opens it.
   * Ids must be unique: a repeated id is a `DuplicatePassageIdError` naming it, and nothing is written.
   */
  static async build(
    source: AsyncIterable<Passage> | Iterable<Passage>,
    dir: string,
    options: BuildStoreOptions = {},
  ): Promise<PassageStore> {
    await writeStore(source, dir, options);
    return PassageStore.open(dir);
  }

  /** Opens a store folder; a missing, truncated or other-version folder is a `PassageStoreError`. */
  static open(dir: string): PassageStore {
    assertLittleEndian();
    return new PassageStore(dir, readManifest(dir));
  }

  /** The passage at `row` (0-based, input order). */
  at(row: number): Passage {
    if (!Number.isInteger(row) || row < 0 || row >= this.size)
      throw new RangeError(`row ${row} is outside 0..${this.size - 1}`);
    const start = Number(this.offsets[row]);
    const len = Number(this.offsets[row + 1]) - start;
    if (this.buf.length < len) this.buf = Buffer.allocUnsafe(Math.max(len, this.buf.length * 2));
    this.readAt(this.buf, len, start);
    return this.decode(this.buf.toString('utf8', 0, len), row);
  }

  /** The passage with this id, or undefined. */
  get(id: string): Passage | undefined {
    for (const row of candidateRows(this.idWords, hashId(id))) {
      const p = this.at(row);
      if (p.id === id) return p;
    }
    return undefined;
  }

  /** The row of this id, or -1. */
  rowOf(id: string): number {
    for (const row of candidateRows(this.idWords, hashId(id))) if (this.at(row).id === id) return row;
    return -1;
  }

  has(id: string): boolean {
    return this.rowOf(id) >= 0;
  }

  /** The id at `row`. */
  idAt(row: number): string {
    return this.at(row).id;
  }

  [Symbol.iterator](): Iterator<Passage> {
    return this.rows();
  }

  /** Passages of rows [from, to) in order, read in large sequential blocks. */
  *rows(from = 0, to = this.size): Generator<Passage> {
    from = Math.max(0, from);
    to = Math.min(this.size, to);
    let row = from;
    while (row < to) {
      const blockStart = Number(this.offsets[row]);
      // Take as many whole records as fit in one block, at least one.
      let end = row + 1;
      while (end < to && Number(this.offsets[end + 1]) - blockStart <= SCAN_BLOCK) end++;
      const len = Number(this.offsets[end]) - blockStart;
      const block = Buffer.allocUnsafe(len);
      this.readAt(block, len, blockStart);
      for (let r = row; r < end; r++) {
        const a = Number(this.offsets[r]) - blockStart;
        const b = Number(this.offsets[r + 1]) - blockStart;
        yield this.decode(block.toString('utf8', a, b), r);
      }
      row = end;
    }
  }

  /** Releases the data file. The store cannot be read afterwards. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readAt(target: Buffer, len: number, position: number): void {
    if (this.fd === undefined) throw new PassageStoreError(this.dir, 'store is closed');
    let done = 0;
    while (done < len) {
      const n = readSync(this.fd, target, done, len - done, position + done);
      if (n === 0) throw new PassageStoreError(this.dir, `${DATA_FILE} ended early (truncated)`);
      done += n;
    }
  }

  private decode(json: string, row: number): Passage {
    let rec: Passage;
    try {
      rec = JSON.parse(json);
    } catch (err) {
      throw new PassageStoreError(this.dir, `record at row ${row} is corrupt`, { cause: err });
    }
    // Records hold exactly the Passage fields (see encodeRecord), absent ones omitted.
    return rec;
  }
}
