import { CorpusFormatError } from '../errors';
import { decodeLines, openInput } from '../input/open-input';
import type { Passage } from '../passage';
import { type CorpusFormat, detectFormat, isDprHeader, LineError, PARSERS } from './formats';
import {
  countInvalidUtf8,
  fileStem,
  formatFromName,
  invalidUtf8Error,
  type InvalidUtf8Stats,
  MAX_SKIPPED_LINES,
  type ReadPassagesOptions,
  type ReadStats,
  UNKNOWN_FORMAT,
} from './read-passages';

/**
 * A corpus file read for parallel parsing: the reading thread only decompresses and cuts the bytes into blocks of
 * whole lines (`CorpusBlocks`); other threads turn blocks into passages (`parseLineBlock`), and the per-block
 * results, merged in block order (`mergeBlockStats`), give what `PassageReader` gives for the same file: the same
 * passages in the same order, the same errors at the same file:line, the same stats.
 */
export interface LineBlockSpec {
  file: string;
  /** 1-based number of the block's first line in the decompressed file. */
  firstLine: number;
  /** Lines before this one were settled by the reading thread (blank, a DPR header, skipped before the format was known). */
  parseFrom: number;
  format: CorpusFormat;
  /** The file's name without folders and extensions (facts ids). */
  stem: string;
  onError: 'throw' | 'skip';
  onInvalidUtf8: 'count' | 'throw';
}

export interface LineBlock {
  /** The block's bytes, whole lines, in an ArrayBuffer of their own (transferable to a worker thread). */
  bytes: Uint8Array;
  spec: LineBlockSpec;
}

/** What a block adds to its file's `ReadStats`, beside its passages. */
export interface LineBlockStats {
  /** 1-based line of the block's last passage (0: none). */
  lastLine: number;
  skipped: number;
  skippedLines: number[];
  invalidUtf8?: InvalidUtf8Stats;
}

export interface LineBlockResult extends LineBlockStats {
  /** Facts (format `facts`) are numbered from 0 within the block: the whole file's ids come from `factsId`. */
  passages: Passage[];
}

const NEWLINE = 0x0a;

/** The id `PassageReader` gives the `index`-th passage (0-based) of a facts file with name stem `stem`. */
export function factsId(stem: string, index: number): string {
  return `${stem}-${index}`;
}

/** Parses a block of whole lines as `PassageReader` would; a bad line throws `CorpusFormatError` (file, line). */
export function parseLineBlock(bytes: Uint8Array, spec: LineBlockSpec): LineBlockResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { lines, invalid } = decodeLines(buf, true);
  const parse = PARSERS[spec.format];
  const place = { index: 0, stem: spec.stem };
  const out: LineBlockResult = { passages: [], lastLine: 0, skipped: 0, skippedLines: [] };
  for (let i = 0; i < lines.length; i++) {
    const lineNo = spec.firstLine + i;
    if (invalid && invalid[i] > 0) {
      if (spec.onInvalidUtf8 === 'throw') throw invalidUtf8Error(spec.file, lineNo, invalid[i]);
      out.invalidUtf8 = countInvalidUtf8(out.invalidUtf8, lineNo, invalid[i]);
    }
    const line = lines[i];
    if (lineNo < spec.parseFrom || line.trim() === '') continue;
    try {
      place.index = out.passages.length;
      out.passages.push(parse(line, place));
      out.lastLine = lineNo;
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      if (spec.onError !== 'skip') throw new CorpusFormatError(spec.file, lineNo, err.message);
      out.skipped++;
      if (out.skippedLines.length < MAX_SKIPPED_LINES) out.skippedLines.push(lineNo);
    }
  }
  return out;
}

/** Adds a block's stats and its number of passages to its file's stats; blocks must come in file order. */
export function mergeBlockStats(stats: ReadStats, passages: number, block: LineBlockStats): void {
  stats.read += passages;
  stats.skipped += block.skipped;
  for (const line of block.skippedLines)
    if (stats.skippedLines.length < MAX_SKIPPED_LINES) stats.skippedLines.push(line);
  if (block.lastLine > 0) stats.line = block.lastLine;
  if (block.invalidUtf8) {
    const seen = (stats.invalidUtf8 ??= { sequences: 0, lines: 0, firstLine: block.invalidUtf8.firstLine });
    seen.sequences += block.invalidUtf8.sequences;
    seen.lines += block.invalidUtf8.lines;
  }
}

/**
 * A corpus file (plain, gzip or bzip2) as blocks of about `blockBytes` whole lines, for `parseLineBlock` in other
 * threads. The reading thread decides the format as `PassageReader` does (from the name, else the first passage
 * line's keys) and settles the lines before it; `stats` then holds what it settled (the format, lines skipped
 * before the format was known), and the blocks' results are merged into it with `mergeBlockStats`.
 */
export class CorpusBlocks implements AsyncIterable<LineBlock> {
  readonly stats: ReadStats = { read: 0, skipped: 0, skippedLines: [], line: 0, done: false };

  constructor(
    readonly file: string,
    private readonly options: ReadPassagesOptions & { blockBytes?: number } = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<LineBlock> {
    const { chunks } = await openInput(this.file);
    const blockBytes = this.options.blockBytes ?? 2 << 20;
    const requested = this.options.format ?? 'auto';
    const base = {
      file: this.file,
      stem: fileStem(this.file),
      onError: this.options.onError ?? 'throw',
      onInvalidUtf8: this.options.onInvalidUtf8 ?? 'count',
    } as const;
    let format: CorpusFormat | undefined = requested === 'auto' ? formatFromName(this.file) : requested;
    this.stats.format = format;
    let decided = false;
    let parseFrom = 1;
    let nextLine = 1;
    const stats = this.stats;
    // The lines before the first passage line, as PassageReader reads them: blank lines, a DPR header, and (format
    // unknown) lines that are no passage in any format.
    const settle = (bytes: Buffer, firstLine: number) => {
      const { lines, invalid } = decodeLines(bytes, true);
      for (let i = 0; i < lines.length && !decided; i++) {
        const lineNo = firstLine + i;
        if (invalid && invalid[i] > 0 && base.onInvalidUtf8 === 'throw')
          throw invalidUtf8Error(this.file, lineNo, invalid[i]);
        const line = lines[i];
        parseFrom = lineNo + 1;
        if (line.trim() === '') continue;
        let header = format === 'dpr-tsv' && stats.skipped === 0;
        if (format === undefined) {
          format = detectFormat(line) ?? undefined;
          header = format === 'dpr-tsv';
          stats.format = format;
          if (format === undefined) {
            if (base.onError !== 'skip') throw new CorpusFormatError(this.file, lineNo, UNKNOWN_FORMAT);
            stats.skipped++;
            if (stats.skippedLines.length < MAX_SKIPPED_LINES) stats.skippedLines.push(lineNo);
            continue;
          }
        }
        decided = true;
        if (!(header && isDprHeader(line))) parseFrom = lineNo;
      }
    };
    const emit = (parts: Buffer[], length: number): LineBlock => {
      // a fresh ArrayBuffer, never a pooled or shared one, so the block can be transferred
      const bytes = new Uint8Array(length);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      const firstLine = nextLine;
      const view = Buffer.from(bytes.buffer, 0, length);
      let lines = 0;
      for (let i = view.indexOf(NEWLINE); i >= 0; i = view.indexOf(NEWLINE, i + 1)) lines++;
      if (bytes[length - 1] !== NEWLINE) lines++;
      nextLine += lines;
      if (!decided) settle(view, firstLine);
      return { bytes, spec: { ...base, firstLine, parseFrom, format: format ?? 'jsonl' } };
    };
    let parts: Buffer[] = [];
    let length = 0;
    for await (const chunk of chunks) {
      parts.push(chunk);
      length += chunk.length;
      if (length < blockBytes) continue;
      const last = chunk.lastIndexOf(NEWLINE);
      if (last < 0) continue; // a line longer than a block: the block grows to its end
      const tail = chunk.subarray(last + 1);
      parts[parts.length - 1] = chunk.subarray(0, last + 1);
      yield emit(parts, length - tail.length);
      parts = tail.length > 0 ? [tail] : [];
      length = tail.length;
    }
    if (length > 0) yield emit(parts, length);
    stats.done = true;
  }
}
