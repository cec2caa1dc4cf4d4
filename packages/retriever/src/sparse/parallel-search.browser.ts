// What a browser build gets for parallel-search.ts (package.json "browser" maps it here): Node's worker threads
// are not a browser's, so `searchBatchParallel` and `searchPool` say to use `searchBatch`, and no Node built-in
// enters the bundle.
import type { Hit } from '../types';
import type { Bm25SearchArrays } from './bm25-blocks';
import type { Bm25Data } from './bm25-data';
import type { ParallelSearchOptions, PoolSearchOptions } from './parallel-search';

export type { ParallelSearchOptions, PoolSearchOptions };

const NODE_ONLY = 'runs Node worker threads, which a browser has not: use searchBatch (or your own Web Workers)';

export function toShared(_data: Bm25Data): Bm25Data {
  throw new Error(`toShared ${NODE_ONLY}`);
}

export function sharedIndexArrays(_data: Bm25Data, _arrays: Bm25SearchArrays): never {
  throw new Error(`searchPool ${NODE_ONLY}`);
}

export class Bm25SearchPool {
  readonly threads = 0;
  readonly usable = false;
  constructor(..._args: unknown[]) {
    throw new Error(`searchPool ${NODE_ONLY}`);
  }
  ready(): Promise<void> {
    return Promise.reject(new Error(`searchPool ${NODE_ONLY}`));
  }
  search(_queries: string[], _k?: number, _options?: PoolSearchOptions): Promise<Hit[][]> {
    return Promise.reject(new Error(`searchPool ${NODE_ONLY}`));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
