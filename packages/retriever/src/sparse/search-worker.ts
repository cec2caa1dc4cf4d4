import { parentPort, workerData } from 'node:worker_threads';
import { Bm25Index } from './bm25-index';
import { fromTransferable } from './parallel-search';

/** A search worker: one Bm25Index over the shared arrays, answering chunks of queries. */
export function runSearchWorker(): void {
  const index = new Bm25Index(fromTransferable((workerData as { data: unknown }).data));
  const port = parentPort!;
  port.on('message', (m: { from: number; queries: string[]; k: number }) => {
    port.postMessage({ from: m.from, hits: m.queries.map((q) => index.search(q, m.k)) });
  });
}
