import { parentPort, workerData } from 'node:worker_threads';
import type { Bm25SearchArrays } from './bm25-blocks';
import { Bm25Index } from './bm25-index';
import { fromTransferable, type SearchChunk, type SearchChunkReply } from './parallel-search';

/** Test hook: `KARD_BM25_TEST_SEARCH_CRASH=throw|exit` makes the worker throw (or exit) on its first chunk. */
function crashHook(): void {
  const hook = process.env.KARD_BM25_TEST_SEARCH_CRASH;
  if (hook === 'exit') process.exit(7);
  if (hook === 'throw') throw new Error('test crash (KARD_BM25_TEST_SEARCH_CRASH)');
}

/**
 * A search worker of `Bm25SearchPool`: one Bm25Index over the shared data and search arrays (nothing recomputed),
 * answering chunks of queries given as term ids with the rows and scores of their hits.
 */
export function runSearchWorker(): void {
  const { data, arrays } = workerData as { data: unknown; arrays: Bm25SearchArrays };
  const index = new Bm25Index(fromTransferable(data), arrays);
  const port = parentPort!;
  port.on('message', (m: SearchChunk) => {
    crashHook();
    let reply: SearchChunkReply;
    const transfer: ArrayBuffer[] = [];
    try {
      const n = m.offsets.length - 1;
      const offsets = new Uint32Array(n + 1);
      const rows: number[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        const terms = Array.from(m.terms.subarray(m.offsets[i], m.offsets[i + 1]));
        const top = index.topOfTermIds(terms, m.k, m.exhaustive);
        rows.push(...top.docs);
        scores.push(...top.scores);
        offsets[i + 1] = rows.length;
      }
      const reply_ = { offsets, rows: Uint32Array.from(rows), scores: Float64Array.from(scores) };
      transfer.push(reply_.offsets.buffer, reply_.rows.buffer, reply_.scores.buffer);
      reply = { type: 'hits', from: m.from, ...reply_ };
    } catch (err) {
      reply = { type: 'error', message: (err as Error).stack ?? String(err) };
    }
    port.postMessage(reply, transfer);
  });
  port.postMessage({ type: 'ready' } satisfies SearchChunkReply);
}
