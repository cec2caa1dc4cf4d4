// Entry of this package's worker threads (spawned by worker-spawn.ts); workerData.kind says what it does.
import { parentPort, workerData } from 'node:worker_threads';
import { SegmentWriter } from './segment-writer';
import { runSearchWorker } from './search-worker';

/** Test hook: `KARD_BM25_TEST_CRASH=<batch>[:exit]` makes the worker that gets that batch throw (or exit). */
function crashHook(seq: number): void {
  const hook = process.env.KARD_BM25_TEST_CRASH;
  if (!hook) return;
  const [at, how] = hook.split(':');
  if (Number(at) !== seq) return;
  if (how === 'exit') process.exit(7);
  throw new Error(`test crash at batch ${seq} (KARD_BM25_TEST_CRASH)`);
}

function runBuildWorker(): void {
  const port = parentPort!;
  const { worker, dir, analyzer, segmentTerms } = workerData as {
    worker: number;
    dir: string;
    analyzer: { stemmer: 'porter' | 'none'; stopwords: 'lucene' | 'none' };
    segmentTerms: number;
  };
  const writer = new SegmentWriter(dir, `w${worker}`, analyzer, segmentTerms);
  port.on('message', (m: { type: 'batch'; seq: number; base: number; texts: string[] } | { type: 'finish' }) => {
    if (m.type === 'batch') {
      try {
        crashHook(m.seq);
        const { docLengths, record } = writer.addBatch(m.seq, m.base, m.texts);
        port.postMessage({ type: 'batch', record, docLengths }, [docLengths.buffer as ArrayBuffer]);
      } catch (err) {
        // reported with its batch (an uncaught error can overtake the replies still queued for earlier batches)
        const code = (err as NodeJS.ErrnoException).code;
        port.postMessage({ type: 'error', seq: m.seq, message: (err as Error).stack ?? String(err), code });
        port.close();
      }
    } else {
      port.postMessage({ type: 'finished', segments: writer.finish() });
    }
  });
}

const kind = (workerData as { kind: string }).kind;
if (kind === 'bm25-build') runBuildWorker();
else if (kind === 'bm25-search') runSearchWorker();
else throw new Error(`unknown worker kind ${JSON.stringify(kind)}`);
