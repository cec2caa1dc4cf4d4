import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Hit } from '../types';
import type { Bm25Data } from './bm25-data';
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

export interface ParallelSearchOptions {
  /** Worker threads; default os.availableParallelism(). 1 searches in the calling thread. */
  threads?: number;
  /** Called as chunks of queries finish, with the number of queries answered so far. */
  onProgress?: (done: number) => void;
}

/** Queries handed to a worker at a time: small enough to balance, large enough that messages cost little. */
const CHUNK = 64;

/**
 * `queries` answered by worker threads that share `data` (made shared with `toShared` when it is not), each
 * running `Bm25Index.search` over it; results in query order, equal to the single-threaded search.
 */
export async function searchInWorkers(
  data: Bm25Data,
  queries: string[],
  k: number,
  options: ParallelSearchOptions = {},
): Promise<Hit[][]> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (queries.length === 0) return [];
  const threads = Math.max(
    1,
    Math.min(options.threads ?? os.availableParallelism(), Math.ceil(queries.length / CHUNK)),
  );
  const shared = toTransferable(toShared(data));
  const results = new Array<Hit[]>(queries.length);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let active = threads;
      const feed = (worker: Worker) => {
        if (next >= queries.length) {
          if (--active === 0) resolve();
          return;
        }
        const from = next;
        next = Math.min(queries.length, next + CHUNK);
        worker.postMessage({ from, queries: queries.slice(from, next), k });
      };
      for (let w = 0; w < threads; w++) {
        const worker = spawnWorker({ kind: 'bm25-search', data: shared });
        workers.push(worker);
        worker.on('message', (m: { from: number; hits: Hit[][] }) => {
          for (let i = 0; i < m.hits.length; i++) results[m.from + i] = m.hits[i];
          done += m.hits.length;
          options.onProgress?.(done);
          feed(worker);
        });
        worker.on('error', (err) =>
          reject(new Error(`BM25 search worker ${w} failed: ${err.message}`, { cause: err })),
        );
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`BM25 search worker ${w} exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
