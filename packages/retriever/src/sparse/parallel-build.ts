import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { NoSpaceError } from '@kard/core';
import { indexedText, type Passage } from '@kard/knowledge-base';
import { Analyzer, type AnalyzerOptions } from '../analysis';
import { type Bm25Data, type Bm25Params, type CorpusFileInfo, checkParams, DEFAULT_BM25_PARAMS } from './bm25-data';
import { EmptyCorpusError } from './errors';
import { IdTable } from './id-table';
import { mergeSegments } from './segment-merge';
import type { BatchRecord, SegmentInfo } from './segment-writer';
import { spawnWorker } from './worker-spawn';

export interface SegmentedBuildOptions extends Partial<Bm25Params>, AnalyzerOptions {
  /** Worker threads analysing and inverting batches (>= 1). */
  threads: number;
  /** Folder for the spilled segments (a fresh hidden folder is made inside and removed). Default: os.tmpdir(). */
  tempDir?: string;
  /** What the build is for (e.g. the index folder), named when the disk fills up. Default: the spill folder. */
  target?: string;
  /** Documents per batch (a batch also ends at 8M characters). Default 4,096. */
  batchDocs?: number;
  /** A worker starts a new segment once its vocabulary holds this many terms. Default 4,000,000. */
  segmentTerms?: number;
  onProgress?: (passages: number) => void;
  corpus?: CorpusFileInfo[];
}

/** Thrown when a build worker fails: the build stops, its spilled segments are removed and no index is made. */
export class BuildWorkerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BuildWorkerError';
  }
}

const BATCH_CHARS = 8 << 20;
/** Batches in flight per worker: one being analysed, one waiting, so a worker never idles on the reader. */
const PER_WORKER = 2;

interface Pending {
  seq: number;
  base: number;
  documents: number;
}

/**
 * Builds BM25 index data with worker threads. The calling thread reads the passages and cuts them into batches
 * (a bounded number in flight, so memory does not grow with the corpus); each worker analyses its batches, inverts
 * them and spills them to disk (see `SegmentWriter`); the segments are then merged into one index, identical to the
 * single-threaded `Bm25Builder`'s. Memory: the final arrays, the ids, the term dictionary, and per worker its
 * segment vocabulary and a couple of batches.
 */
export async function buildSegmented(
  passages: Iterable<Passage> | AsyncIterable<Passage>,
  options: SegmentedBuildOptions,
): Promise<Bm25Data> {
  const params = { k1: options.k1 ?? DEFAULT_BM25_PARAMS.k1, b: options.b ?? DEFAULT_BM25_PARAMS.b };
  checkParams(params);
  const analyzer = new Analyzer(options).settings;
  const threads = options.threads;
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be an integer >= 1, got ${threads}`);
  const batchDocs = options.batchDocs ?? 4096;
  const corpus = options.corpus ?? [];
  const tempDir = options.tempDir ?? os.tmpdir();
  fs.mkdirSync(tempDir, { recursive: true });
  removeStaleSpills(tempDir);
  const spill = fs.mkdtempSync(path.join(tempDir, `${SPILL_PREFIX}${process.pid}-`));

  const workers: Worker[] = [];
  const inFlight: Pending[][] = [];
  const records: BatchRecord[] = [];
  const segments: SegmentInfo[] = [];
  const docLengths: Uint32Array[] = [];
  const finished: boolean[] = [];
  let failure: Error | undefined;
  let done = 0;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForChange = () => new Promise<void>((resolve) => (wake = resolve));
  const fail = (w: number, what: string, cause?: unknown, seq?: number) => {
    if (failure) return;
    const batch = inFlight[w]?.find((b) => seq === undefined || b.seq === seq);
    const where = batch
      ? ` while indexing batch ${batch.seq} (passages ${batch.base + 1}..${batch.base + batch.documents})`
      : '';
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    // a full disk is the user's to fix, and said as every other write of ours says it (the spills are removed below)
    failure =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? new NoSpaceError(options.target ?? spill, { cause })
        : new BuildWorkerError(`BM25 build worker ${w} failed${where}: ${what}; no index was written`, { cause });
    signal();
  };

  try {
    for (let w = 0; w < threads; w++) {
      const worker = spawnWorker({
        kind: 'bm25-build',
        worker: w,
        dir: spill,
        analyzer,
        segmentTerms: options.segmentTerms ?? 4_000_000,
      });
      workers.push(worker);
      inFlight.push([]);
      finished.push(false);
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'batch') {
          inFlight[w].shift();
          records.push(m.record);
          docLengths[m.record.seq] = m.docLengths;
          done += m.record.documents;
          options.onProgress?.(done);
        } else if (m.type === 'finished') {
          segments.push(...m.segments);
          finished[w] = true;
        } else if (m.type === 'error')
          fail(w, m.message, m.code ? Object.assign(new Error(m.message), { code: m.code }) : undefined, m.seq);
        signal();
      });
      worker.on('error', (err) => fail(w, err.message, err));
      worker.on('exit', (code) => {
        if (!finished[w]) fail(w, `it exited with code ${code}`);
      });
    }

    const ids: string[] = [];
    let texts: string[] = [];
    let chars = 0;
    let seq = 0;
    let base = 0;
    const send = async () => {
      for (;;) {
        if (failure) throw failure;
        let best = -1;
        for (let w = 0; w < threads; w++)
          if (inFlight[w].length < PER_WORKER && (best < 0 || inFlight[w].length < inFlight[best].length)) best = w;
        if (best >= 0) {
          inFlight[best].push({ seq, base, documents: texts.length });
          workers[best].postMessage({ type: 'batch', seq, base, texts });
          break;
        }
        await waitForChange();
      }
      seq++;
      base += texts.length;
      texts = [];
      chars = 0;
    };
    for await (const p of passages) {
      if (typeof p.id !== 'string' || p.id === '')
        throw new TypeError(`document id must be a non-empty string, got ${JSON.stringify(p.id)}`);
      const text = indexedText(p);
      ids.push(p.id);
      texts.push(text);
      chars += text.length;
      if (texts.length >= batchDocs || chars >= BATCH_CHARS) await send();
    }
    if (texts.length > 0) await send();
    while (!failure && inFlight.some((q) => q.length > 0)) await waitForChange();
    for (const worker of workers) worker.postMessage({ type: 'finish' });
    while (!failure && finished.some((f) => !f)) await waitForChange();
    if (failure) throw failure;
    if (ids.length === 0) throw new EmptyCorpusError(corpus.map((c) => c.path));

    const merged = mergeSegments(segments, records);
    const lengths = new Uint32Array(ids.length);
    let at = 0;
    for (const l of docLengths) {
      lengths.set(l, at);
      at += l.length;
    }
    return { params, analyzer, ids: IdTable.fromStrings(ids), docLengths: lengths, ...merged, corpus };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    fs.rmSync(spill, { recursive: true, force: true });
  }
}

const SPILL_PREFIX = '.kard-bm25-segments-';

/** Spill folders of builds that were killed (their process is gone): removed before a new build spills beside them. */
function removeStaleSpills(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const pid = Number(/^\.kard-bm25-segments-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH')
        fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

type WorkerReply =
  | { type: 'batch'; record: BatchRecord; docLengths: Uint32Array }
  | { type: 'finished'; segments: SegmentInfo[] }
  | { type: 'error'; seq: number; message: string; code?: string };
