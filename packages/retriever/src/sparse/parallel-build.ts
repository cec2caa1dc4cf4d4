import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { type InputFormatError, NoSpaceError } from '@kard/core';
import {
  CorpusBlocks,
  CorpusFormatError,
  DuplicatePassageIdError,
  factsId,
  indexedText,
  type LineBlockStats,
  type LineBlockSpec,
  mergeBlockStats,
  type Passage,
  readPassages,
  type ReadPassagesOptions,
  type ReadStats,
} from '@kard/knowledge-base';
import { Analyzer, type AnalyzerOptions } from '../analysis';
import { type Bm25Data, type Bm25Params, type CorpusFileInfo, checkParams, DEFAULT_BM25_PARAMS } from './bm25-data';
import { duplicateAt } from './duplicate-at';
import { EmptyCorpusError } from './errors';
import { type IdTable, IdTableBuilder } from './id-table';
import { type MergedPostings, mergeSegments, planMerge, splitTerms } from './segment-merge';
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
  /** What the batch holds, named when its worker fails ("passages 1..4096", "corpus.jsonl lines 1..3000"). */
  what: string;
}

/** A batch's reply, beyond its record and document lengths: its ids and stats when the worker parsed a block. */
interface BatchDone {
  seq: number;
  documents: number;
  ids: string[] | null;
  block?: LineBlockStats;
}

type Post = (
  message: { seq: number } & Record<string, unknown>,
  what: string,
  transfer?: ArrayBuffer[],
) => Promise<void>;

/**
 * The worker side of a segmented build: starts the workers, lets `feed` post batches (at most PER_WORKER in flight
 * per worker, to the least busy one), then has the workers write their last segments and merges them. A line error
 * a worker reports stops the feed; the one earliest in input order is thrown once the batches in flight are done.
 */
async function runSegmented(
  options: SegmentedBuildOptions,
  feed: (post: Post) => Promise<void>,
  onBatch: (done: BatchDone) => void,
  idTable: () => IdTable,
): Promise<Omit<Bm25Data, 'corpus'>> {
  const params = { k1: options.k1 ?? DEFAULT_BM25_PARAMS.k1, b: options.b ?? DEFAULT_BM25_PARAMS.b };
  checkParams(params);
  const analyzer = new Analyzer(options).settings;
  const threads = options.threads;
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be an integer >= 1, got ${threads}`);
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
  const mergedBy: boolean[] = [];
  let mergeStarted = false;
  let failure: Error | undefined;
  let lineError: { seq: number; error: InputFormatError } | undefined;
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
    const where = batch ? ` while indexing batch ${batch.seq} (${batch.what})` : '';
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    // a full disk is the user's to fix, and said as every other write of ours says it (the spills are removed below)
    failure =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? new NoSpaceError(options.target ?? spill, { cause })
        : new BuildWorkerError(`BM25 build worker ${w} failed${where}: ${what}; no index was written`, { cause });
    signal();
  };
  /** Stops the feed: it posts nothing more once a line error or a failure is known. */
  const stopped = () => failure ?? (lineError ? STOP_FEED : undefined);

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
      mergedBy.push(false);
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'batch') {
          inFlight[w].shift();
          records.push(m.record);
          docLengths[m.record.seq] = m.docLengths;
          done += m.record.documents;
          onBatch({ seq: m.record.seq, documents: m.record.documents, ids: m.ids ?? null, block: m.block });
          options.onProgress?.(done);
        } else if (m.type === 'lineError') {
          inFlight[w].shift();
          if (!lineError || m.seq < lineError.seq)
            lineError = { seq: m.seq, error: new CorpusFormatError(m.file, m.line, m.reason) };
        } else if (m.type === 'finished') {
          segments.push(...m.segments);
          finished[w] = true;
        } else if (m.type === 'merged') mergedBy[w] = true;
        else if (m.type === 'error')
          fail(w, m.message, m.code ? Object.assign(new Error(m.message), { code: m.code }) : undefined, m.seq);
        signal();
      });
      worker.on('error', (err) => fail(w, err.message, err));
      worker.on('exit', (code) => {
        if (!finished[w] || (mergeStarted && !mergedBy[w])) fail(w, `it exited with code ${code}`);
      });
    }

    const post: Post = async (message, what, transfer) => {
      for (;;) {
        const stop = stopped();
        if (stop) throw stop;
        let best = -1;
        for (let w = 0; w < threads; w++)
          if (inFlight[w].length < PER_WORKER && (best < 0 || inFlight[w].length < inFlight[best].length)) best = w;
        if (best >= 0) {
          inFlight[best].push({ seq: message.seq, what });
          workers[best].postMessage(message, transfer);
          return;
        }
        await waitForChange();
      }
    };
    try {
      await feed(post);
    } catch (err) {
      if (err !== STOP_FEED) throw err;
    }
    while (!failure && inFlight.some((q) => q.length > 0)) await waitForChange();
    if (failure) throw failure;
    if (lineError) throw lineError.error;
    for (const worker of workers) worker.postMessage({ type: 'finish' });
    while (!failure && finished.some((f) => !f)) await waitForChange();
    if (failure) throw failure;

    let merged: MergedPostings;
    let ids: IdTable;
    if (threads === 1) {
      ids = idTable();
      merged = mergeSegments(segments, records);
    } else {
      // the postings copy, the merge's long part, split by term ranges over the (now idle) workers
      const plan = planMerge(segments, records);
      const total = plan.termOffsets[plan.terms.length];
      const postingDocs = new Uint32Array(new SharedArrayBuffer(4 * total));
      const postingTfs =
        plan.maxTf <= 0xffff
          ? new Uint16Array(new SharedArrayBuffer(2 * total))
          : new Uint32Array(new SharedArrayBuffer(4 * total));
      const { termOffsets, globalIds } = plan;
      mergeStarted = true;
      splitTerms(termOffsets, threads).forEach(([from, to], w) => {
        const copy = { termOffsets, globalIds, records: plan.records, from, to, postingDocs, postingTfs };
        workers[w].postMessage({ type: 'merge', ...copy });
      });
      ids = idTable(); // while the workers copy
      while (!failure && mergedBy.some((m) => !m)) await waitForChange();
      if (failure) throw failure;
      merged = { terms: plan.terms, termOffsets, postingDocs, postingTfs };
    }
    let total = 0;
    for (const l of docLengths) total += l.length;
    const lengths = new Uint32Array(total);
    let at = 0;
    for (const l of docLengths) {
      lengths.set(l, at);
      at += l.length;
    }
    return { params, analyzer, ids, docLengths: lengths, ...merged };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    fs.rmSync(spill, { recursive: true, force: true });
  }
}

const STOP_FEED = new Error('stop feeding batches');

/**
 * Builds BM25 index data with worker threads. The calling thread reads the passages and cuts them into batches
 * (a bounded number in flight, so memory does not grow with the corpus); each worker analyses its batches, inverts
 * them and spills them to disk (see `SegmentWriter`); the segments are then merged into one index, identical to the
 * single-threaded `Bm25Builder`'s. Memory: the final arrays, the ids, the term dictionary, and per worker its
 * segment vocabulary and a couple of batches. For corpus files, `buildSegmentedFromFiles` leaves the parsing to
 * the workers too.
 */
export async function buildSegmented(
  passages: Iterable<Passage> | AsyncIterable<Passage>,
  options: SegmentedBuildOptions,
): Promise<Bm25Data> {
  const batchDocs = options.batchDocs ?? 4096;
  const corpus = options.corpus ?? [];
  const ids = new IdTableBuilder();
  const feed = async (post: Post) => {
    let texts: string[] = [];
    let batchIds: string[] = [];
    let chars = 0;
    let seq = 0;
    let base = 0;
    const send = async () => {
      await post({ type: 'batch', seq, texts }, `passages ${base + 1}..${base + texts.length}`);
      ids.add(batchIds); // sorted while the workers analyse
      batchIds = [];
      seq++;
      base += texts.length;
      texts = [];
      chars = 0;
    };
    for await (const p of passages) {
      if (typeof p.id !== 'string' || p.id === '')
        throw new TypeError(`document id must be a non-empty string, got ${JSON.stringify(p.id)}`);
      const text = indexedText(p);
      batchIds.push(p.id);
      texts.push(text);
      chars += text.length;
      if (texts.length >= batchDocs || chars >= BATCH_CHARS) await send();
    }
    if (texts.length > 0) await send();
  };
  const idTable = () => {
    if (ids.size === 0) throw new EmptyCorpusError(corpus.map((c) => c.path));
    return ids.finish();
  };
  return { ...(await runSegmented(options, feed, () => {}, idTable)), corpus };
}

export interface FileBuildOptions extends SegmentedBuildOptions {
  /** How the corpus files are read (format, malformed lines, bytes that are not UTF-8), as `readPassages` reads. */
  read?: ReadPassagesOptions;
  /** Bytes of whole lines per batch (a longer line makes a longer batch). Default 2 MiB. */
  blockBytes?: number;
}

/**
 * `buildSegmented` over corpus files (plain, gzip or bzip2), parsed in the workers: the calling thread only reads
 * and decompresses, and cuts the bytes into blocks of whole lines that it hands over (transferred, not copied);
 * each worker parses its blocks as `readPassages` would, then analyses and inverts them. Same index, same
 * passages, same errors (a bad line: a `CorpusFormatError` naming its file and line, the first in input order; a
 * duplicate id: an `InputFormatError` naming both files and lines) and the same per-file stats as reading the files
 * with `readPassages`.
 */
export async function buildSegmentedFromFiles(
  files: string[],
  options: FileBuildOptions,
): Promise<{ data: Bm25Data; stats: ReadStats[] }> {
  const readers = files.map((file) => new CorpusBlocks(file, { ...options.read, blockBytes: options.blockBytes }));
  const blockOf: { file: number; spec: LineBlockSpec }[] = [];
  const replies: (BatchDone | undefined)[] = [];
  const ids = new IdTableBuilder();
  let next = 0;
  // ids and stats in input order, added as soon as the batches before them are in (the calling thread is idle)
  const collect = () => {
    for (let done = replies[next]; done !== undefined; done = replies[++next]) {
      replies[next] = undefined;
      const { file, spec } = blockOf[next];
      const stats = readers[file].stats;
      ids.add(done.ids ?? Array.from({ length: done.documents }, (_, i) => factsId(spec.stem, stats.read + i)));
      mergeBlockStats(stats, done.documents, done.block!);
    }
  };
  const feed = async (post: Post) => {
    let seq = 0;
    for (let f = 0; f < readers.length; f++) {
      for await (const { bytes, spec } of readers[f]) {
        blockOf[seq] = { file: f, spec };
        const what = `${spec.file} from line ${spec.firstLine}`;
        await post({ type: 'block', seq, bytes, spec }, what, [bytes.buffer as ArrayBuffer]);
        seq++;
      }
    }
  };
  const corpus = options.corpus ?? [];
  const idTable = () => {
    collect();
    if (ids.size === 0) throw new EmptyCorpusError(corpus.map((c) => c.path));
    return ids.finish();
  };
  try {
    const data = await runSegmented(
      options,
      feed,
      (done) => {
        replies[done.seq] = done;
        collect();
      },
      idTable,
    );
    return { data: { ...data, corpus }, stats: readers.map((r) => r.stats) };
  } catch (err) {
    if (err instanceof DuplicatePassageIdError) throw await duplicateAt(err, readers, options.read ?? {});
    throw err;
  }
}

/**
 * `Bm25Index.buildFiles`: with threads, `buildSegmentedFromFiles`; without, `inThread` (the in-thread builder) over
 * `readPassages` of each file. A duplicate id is an `InputFormatError` naming both files and lines.
 */
export async function buildFromFiles(
  files: string[],
  options: Partial<FileBuildOptions>,
  inThread: (passages: AsyncIterable<Passage>) => Promise<Bm25Data>,
): Promise<{ data: Bm25Data; stats: ReadStats[] }> {
  if (options.threads !== undefined && options.threads > 0)
    return buildSegmentedFromFiles(files, { ...options, threads: options.threads });
  const readers = files.map((file) => readPassages(file, options.read));
  async function* passages(): AsyncGenerator<Passage> {
    for (const reader of readers) yield* reader;
  }
  try {
    const data = await inThread(passages());
    return { data, stats: readers.map((r) => r.stats) };
  } catch (err) {
    if (err instanceof DuplicatePassageIdError) throw await duplicateAt(err, readers, options.read ?? {});
    throw err;
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
  | {
      type: 'batch';
      record: BatchRecord;
      docLengths: Uint32Array;
      ids?: string[] | null;
      block?: LineBlockStats;
    }
  | { type: 'lineError'; seq: number; file: string; line: number; reason: string }
  | { type: 'finished'; segments: SegmentInfo[] }
  | { type: 'merged' }
  | { type: 'error'; seq: number; message: string; code?: string };
