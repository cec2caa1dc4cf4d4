// The prepare stages' retriever: the BM25 index with a batch search that spreads each batch of queries over worker
// threads (Bm25Index.searchBatchParallel, threads sharing the index) where the index has one, else answers it on this
// thread (searchBatch), reporting queries answered so far.
import * as os from 'node:os';
import type { Hit } from '@kard/retriever';
import type { Bm25Index } from '@kard/retriever';

type ParallelSearch = (
  queries: string[],
  k: number,
  options: { threads?: number; onProgress?: (done: number) => void },
) => Promise<Hit[][]>;

/** What prepare needs of a retriever: search, scoreDocuments and a batch search (`PrefetchedSearch` batches with it). */
export interface ThreadedSearch {
  search(query: string, k: number): Hit[];
  scoreDocuments(query: string, ids: string[]): number[];
  searchBatch(queries: string[], k: number): Promise<Hit[][]>;
}

/**
 * `index` with a threaded `searchBatch`; `onProgress(done, total)` counts the queries of every batch so far (a
 * progress bar over the whole stage). Threads: all cores (`threads`, default `os.availableParallelism()`).
 */
export function threadedSearch(
  index: Bm25Index,
  onProgress?: (done: number, total: number) => void,
  threads = os.availableParallelism(),
): ThreadedSearch {
  const parallel = (index as unknown as { searchBatchParallel?: ParallelSearch }).searchBatchParallel;
  let done = 0;
  let total = 0;
  return {
    search: (query, k) => index.search(query, k),
    scoreDocuments: (query, ids) => index.scoreDocuments(query, ids),
    async searchBatch(queries, k) {
      const before = done;
      total += queries.length;
      onProgress?.(done, total);
      let lists: Hit[][];
      if (typeof parallel === 'function' && threads > 1 && queries.length > 1)
        lists = await parallel.call(index, queries, k, {
          threads,
          onProgress: (n: number) => onProgress?.(before + n, total),
        });
      else {
        lists = [];
        // answered in slices so the bar moves on a single thread too
        for (let i = 0; i < queries.length; i += 256) {
          lists.push(...index.searchBatch(queries.slice(i, i + 256), k));
          onProgress?.(before + lists.length, total);
        }
      }
      done = before + queries.length;
      onProgress?.(done, total);
      return lists;
    },
  };
}
