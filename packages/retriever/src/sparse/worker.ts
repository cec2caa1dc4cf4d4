// Entry of this package's worker threads (spawned by worker-spawn.ts); workerData.kind says what it does.
import { parentPort, workerData } from 'node:worker_threads';
import { InputFormatError } from '@kard/core';
import {
  indexedText,
  type LineBlockResult,
  type LineBlockSpec,
  type LineBlockStats,
  parseLineBlock,
} from '@kard/knowledge-base';
import { copyPostings, type MergePlan } from './segment-merge';
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
  type Message =
    | { type: 'batch'; seq: number; texts: string[] }
    | { type: 'block'; seq: number; bytes: Uint8Array; spec: LineBlockSpec }
    | { type: 'finish' }
    | ({
        type: 'merge';
        from: number;
        to: number;
        postingDocs: Uint32Array;
        postingTfs: Uint16Array | Uint32Array;
      } & Pick<MergePlan, 'termOffsets' | 'globalIds' | 'records'>);
  port.on('message', (m: Message) => {
    if (m.type === 'batch' || m.type === 'block') {
      try {
        crashHook(m.seq);
        let texts: string[];
        let block: LineBlockStats | undefined;
        let ids: string[] | null = null;
        if (m.type === 'block') {
          let parsed: LineBlockResult;
          try {
            parsed = parseLineBlock(m.bytes, m.spec);
          } catch (err) {
            if (!(err instanceof InputFormatError)) throw err;
            // the corpus's fault, not the worker's: reported with its batch, and the worker stays up
            port.postMessage({ type: 'lineError', seq: m.seq, file: err.file, line: err.line, reason: err.reason });
            return;
          }
          const { passages, ...rest } = parsed;
          block = rest;
          texts = passages.map(indexedText);
          // facts are numbered over the whole file, which only the calling thread sees
          if (m.spec.format !== 'facts') ids = passages.map((p) => p.id);
        } else texts = m.texts;
        const { docLengths, record } = writer.addBatch(m.seq, texts);
        port.postMessage({ type: 'batch', record, docLengths, ids, block }, [docLengths.buffer as ArrayBuffer]);
      } catch (err) {
        // reported with its batch (an uncaught error can overtake the replies still queued for earlier batches)
        const code = (err as NodeJS.ErrnoException).code;
        port.postMessage({ type: 'error', seq: m.seq, message: (err as Error).stack ?? String(err), code });
        port.close();
      }
    } else if (m.type === 'merge') {
      try {
        copyPostings(m, m.from, m.to, m.postingDocs, m.postingTfs);
        port.postMessage({ type: 'merged' });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        port.postMessage({ type: 'error', seq: -1, message: (err as Error).stack ?? String(err), code });
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
