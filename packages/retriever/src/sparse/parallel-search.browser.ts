// What a browser build gets for parallel-search.ts (package.json "browser" maps it here): Node's worker threads
// are not a browser's, so `searchBatchParallel` says to use `searchBatch`, and no Node built-in enters the bundle.
import type { Hit } from '../types';
import type { Bm25Data } from './bm25-data';
import type { ParallelSearchOptions } from './parallel-search';

export type { ParallelSearchOptions };

const NODE_ONLY = 'runs Node worker threads, which a browser has not: use searchBatch (or your own Web Workers)';

export function toShared(_data: Bm25Data): Bm25Data {
  throw new Error(`toShared ${NODE_ONLY}`);
}

export function searchInWorkers(..._args: unknown[]): Promise<Hit[][]> {
  return Promise.reject(new Error(`searchBatchParallel ${NODE_ONLY}`));
}
