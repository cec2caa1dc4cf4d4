import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Hit } from '../types';
import type { Bm25SearchArrays } from './bm25-blocks';
import type { Bm25Data } from './bm25-data';
import type { Bm25SearchOptions } from './bm25-index';
import { IdTable } from './id-table';
import { spawnWorker } from './worker-spawn';

type Typed =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;

const isTyped = (v: unknown): v is Typed => ArrayBuffer.isView(v) && !(v instanceof DataView);
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function sharedCopy<T extends Typed>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer, offset: number, length: number) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength), 0, a.length);
  (out as unknown as { set(x: T): void }).set(a);
  return out;
}

/** Every typed array in `value` (plain objects and arrays walked, IdTables rebuilt) moved into SharedArrayBuffers. */
function share(value: unknown): unknown {
  if (isTyped(value)) return sharedCopy(value);
  if (value instanceof IdTable)
    return new IdTable(
      sharedCopy(value.bytes),
      sharedCopy(value.offsets),
      sharedCopy(value.sortedRows),
      sharedCopy(value.rank),
    );
  if (Array.isArray(value)) return value.some((v) => typeof v === 'object' && v !== null) ? value.map(share) : value;
  if (isPlain(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, share(v)]));
  return value;
}

/**
 * The index data with every typed-array field (whatever fields it has, nested ones included) in a
 * SharedArrayBuffer, copied once; arrays already shared are kept as they are. Worker threads given the result
 * read the same memory: nothing is copied per worker.
 */
export function toShared(data: Bm25Data): Bm25Data {
  return share(data) as Bm25Data;
}

/** Structured clone keeps typed arrays (shared ones by reference) but not classes: IdTable travels as its arrays. */
export function toTransferable(data: Bm25Data): unknown {
  const { ids, ...rest } = data;
  return { ...rest, ids: { bytes: ids.bytes, offsets: ids.offsets, sortedRows: ids.sortedRows, rank: ids.rank } };
}

export function fromTransferable(value: unknown): Bm25Data {
  const v = value as Omit<Bm25Data, 'ids'> & {
    ids: { bytes: Uint8Array; offsets: Uint32Array; sortedRows: Uint32Array; rank: Uint32Array };
  };
  return { ...v, ids: new IdTable(v.ids.bytes, v.ids.offsets, v.ids.sortedRows, v.ids.rank) };
}

/** The index data and its search arrays on SharedArrayBuffers: arrays already shared are kept, the others copied. */
export function sharedIndexArrays(
  data: Bm25Data,
  arrays: Bm25SearchArrays,
): { data: Bm25Data; arrays: Bm25SearchArrays } {
  return { data: toShared(data), arrays: share(arrays) as Bm25SearchArrays };
}

/** Paths of the typed arrays in `value` that are not on a SharedArrayBuffer (a worker would get a copy of each). */
function unshared(value: unknown, at: string, out: string[] = []): string[] {
  if (isTyped(value)) {
    if (!(value.buffer instanceof SharedArrayBuffer)) out.push(at);
  } else if (value instanceof IdTable || isPlain(value) || Array.isArray(value))
    for (const [k, v] of Object.entries(value)) unshared(v, `${at}.${k}`, out);
  return out;
}

export interface ParallelSearchOptions extends Bm25SearchOptions {
  /** Worker threads; default os.availableParallelism(). 1 searches in the calling thread. */
  threads?: number;
  /** Called as chunks of queries finish, with the number of queries answered so far. */
  onProgress?: (done: number) => void;
}

/** Options of `Bm25SearchPool.search`. */
export interface PoolSearchOptions extends Bm25SearchOptions {
  /** Called as chunks of queries finish, with the number of queries of this call answered so far. */
  onProgress?: (done: number) => void;
}

/** What a pool needs of its index (`Bm25Index.searchPool` gives it). */
export interface SearchPoolHost {
  /** The index data and search arrays, every typed array on a SharedArrayBuffer. */
  data: Bm25Data;
  arrays: Bm25SearchArrays;
  /** The query's term ids, as `search` analyses it (repeats kept, unknown terms dropped). */
  termIds(query: string): number[];
  /** Whether `search` with these options scores every posting (true) or prunes. */
  exhaustive(options: Bm25SearchOptions): boolean;
  /** The hit `search` returns for document row `row` (its id, and its passage when attached). */
  hit(row: number, score: number, rank: number): Hit;
}

/** What the pool posts to a worker: a chunk of queries as term ids (query i: terms[offsets[i]..offsets[i+1]]). */
export interface SearchChunk {
  from: number;
  k: number;
  exhaustive: boolean;
  offsets: Uint32Array;
  terms: Uint32Array;
}

/** A worker's answer to a chunk: query i's hits are rows/scores[offsets[i]..offsets[i+1]], best first. */
export type SearchChunkReply =
  | { type: 'ready' }
  | { type: 'hits'; from: number; offsets: Uint32Array; rows: Uint32Array; scores: Float64Array }
  | { type: 'error'; message: string };

/** The most queries handed to a worker at a time (fewer towards the end of a batch, so threads finish together). */
const CHUNK = 64;
/** Chunks a worker holds at once: while it answers one, the next waits in its queue (it never waits on us). */
const IN_FLIGHT = 2;

interface Job {
  queries: string[];
  k: number;
  exhaustive: boolean;
  onProgress?: (done: number) => void;
  results: Hit[][];
  next: number;
  done: number;
  resolve: (hits: Hit[][]) => void;
  reject: (err: Error) => void;
}

/**
 * Worker threads searching one index, started once and reused (like a server's): each worker gets the index's
 * data and search arrays on SharedArrayBuffers (nothing copied or recomputed per worker) and no vocabulary. This
 * thread turns queries into term ids and sends them in chunks; workers answer each chunk with typed arrays of
 * rows and scores (transferred), from which this thread makes the hits. Results equal `Bm25Index.search`'s, in
 * query order. Calls to `search` run one after another. Idle workers do not keep the process alive; `close()`
 * ends them.
 *
 * @example
 * const index = Bm25Index.load('idx', { shared: true });
 * const pool = index.searchPool({ threads: 4 });
 * const hits = await pool.search(questions, 10);
 * await pool.close();
 */
export class Bm25SearchPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly started: Promise<void>;
  private startFailed: (err: Error) => void = () => undefined;
  private job: Job | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;

  /** Use `Bm25Index.searchPool`. */
  constructor(
    private readonly host: SearchPoolHost,
    threads: number = os.availableParallelism(),
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be an integer >= 1, got ${threads}`);
    this.threads = threads;
    // No vocabulary nor corpus list: workers get term ids, and their rows become ids here.
    const data = toTransferable({ ...host.data, terms: [], corpus: [] });
    const copies = [...unshared(data, 'data'), ...unshared(host.arrays, 'arrays')];
    if (copies.length)
      throw new Error(`search pool: not on a SharedArrayBuffer (each worker would copy it): ${copies}`);
    let ready = 0;
    this.started = new Promise<void>((resolve, reject) => {
      this.startFailed = reject;
      for (let w = 0; w < threads; w++) {
        const worker = spawnWorker({ kind: 'bm25-search', data, arrays: host.arrays });
        this.workers.push(worker);
        this.inFlight.push(0);
        worker.on('message', (m: SearchChunkReply) => {
          if (m.type === 'ready') {
            if (++ready === threads) {
              this.idle();
              resolve();
            }
          } else if (m.type === 'hits') this.answer(w, m);
          else this.fail(new Error(`BM25 search worker ${w} failed: ${m.message}`));
        });
        worker.on('error', (err) =>
          this.fail(new Error(`BM25 search worker ${w} failed: ${err.message}`, { cause: err })),
        );
        worker.on('exit', (code) => {
          if (!this.closed) this.fail(new Error(`BM25 search worker ${w} exited with code ${code}`));
        });
      }
    });
    // a start-up failure is reported by ready() and search(), not as an unhandled rejection
    this.started.catch(() => undefined);
  }

  /** Resolves when every worker has started (rejects if one failed): `search` waits for it anyway. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Whether a worker failed (then every later `search` rejects) or the pool was closed. */
  get usable(): boolean {
    return this.failure === null && !this.closed;
  }

  /**
   * The `k` best hits of each query, in query order, as `Bm25Index.search(query, k, options)` returns them.
   * Rejects with RangeError unless k is an integer >= 1, and when a worker fails or the pool is closed.
   */
  search(queries: string[], k = 10, options: PoolSearchOptions = {}): Promise<Hit[][]> {
    if (!Number.isInteger(k) || k < 1) return Promise.reject(new RangeError(`k must be a positive integer, got ${k}`));
    const run = this.queue.then(async () => {
      await this.started;
      if (this.failure) throw this.failure;
      if (this.closed) throw new Error('BM25 search pool is closed');
      if (queries.length === 0) return [];
      return new Promise<Hit[][]>((resolve, reject) => {
        this.job = {
          queries,
          k,
          exhaustive: this.host.exhaustive(options),
          onProgress: options.onProgress,
          results: new Array<Hit[]>(queries.length),
          next: 0,
          done: 0,
          resolve,
          reject,
        };
        for (const w of this.workers) w.ref();
        for (let w = 0; w < this.workers.length; w++) this.feed(w);
      });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the workers; later searches reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.startFailed(new Error('BM25 search pool is closed'));
    this.job?.reject(new Error('BM25 search pool closed during a search'));
    this.job = null;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Posts chunks to worker `w` until it has IN_FLIGHT of them or the job has no queries left. */
  private feed(w: number): void {
    const job = this.job!;
    while (this.inFlight[w] < IN_FLIGHT && job.next < job.queries.length) {
      const from = job.next;
      const left = job.queries.length - from;
      const size = Math.max(1, Math.min(CHUNK, Math.ceil(left / (2 * IN_FLIGHT * this.threads))));
      job.next = from + size;
      const ids = job.queries.slice(from, from + size).map((q) => this.host.termIds(q));
      const offsets = new Uint32Array(size + 1);
      for (let i = 0; i < size; i++) offsets[i + 1] = offsets[i] + ids[i].length;
      const terms = new Uint32Array(offsets[size]);
      for (let i = 0; i < size; i++) terms.set(ids[i], offsets[i]);
      const chunk: SearchChunk = { from, k: job.k, exhaustive: job.exhaustive, offsets, terms };
      this.workers[w].postMessage(chunk, [offsets.buffer, terms.buffer]);
      this.inFlight[w]++;
    }
  }

  private answer(w: number, m: { from: number; offsets: Uint32Array; rows: Uint32Array; scores: Float64Array }): void {
    this.inFlight[w]--;
    const job = this.job;
    if (job === null) return;
    const { offsets, rows, scores } = m;
    const n = offsets.length - 1;
    for (let i = 0; i < n; i++) {
      const hits: Hit[] = [];
      for (let p = offsets[i], rank = 1; p < offsets[i + 1]; p++, rank++)
        hits.push(this.host.hit(rows[p], scores[p], rank));
      job.results[m.from + i] = hits;
    }
    job.done += n;
    job.onProgress?.(job.done);
    if (job.done === job.queries.length) {
      this.job = null;
      this.idle();
      job.resolve(job.results);
    } else this.feed(w);
  }

  /** Idle workers do not keep the process alive (a forgotten pool never hangs it). */
  private idle(): void {
    for (const w of this.workers) w.unref();
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.failure ??= err;
    this.startFailed(err);
    this.job?.reject(err);
    this.job = null;
    void this.close();
  }
}
