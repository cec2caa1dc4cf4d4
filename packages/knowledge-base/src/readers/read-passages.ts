import { CorpusFormatError } from '../errors';
import { openInput, readLines } from '../input/open-input';
import type { Passage } from '../passage';
import { type CorpusFormat, detectFormat, isDprHeader, LineError, PARSERS } from './formats';

export interface ReadPassagesOptions {
  /** Line format; `'auto'` (default) uses `.tsv` in the name, else the keys of the first JSON line. */
  format?: 'auto' | CorpusFormat;
  /** What a malformed line does: `'throw'` (default) a `CorpusFormatError`, or `'skip'` it and count it. */
  onError?: 'throw' | 'skip';
}

export interface ReadStats {
  /** The format used (known once the first passage line has been read). */
  format?: CorpusFormat;
  /** Passages yielded. */
  read: number;
  /** Malformed lines skipped (only with `onError: 'skip'`). */
  skipped: number;
  /** 1-based line numbers of the first skipped lines, at most {@link MAX_SKIPPED_LINES}. */
  skippedLines: number[];
  /** True once the whole file has been read. */
  done: boolean;
}

export const MAX_SKIPPED_LINES = 10;

/** A corpus file as a stream of passages. Iterate it once; `stats` is complete when iteration ends. */
export class PassageReader implements AsyncIterable<Passage> {
  readonly stats: ReadStats = { read: 0, skipped: 0, skippedLines: [], done: false };
  private started = false;

  constructor(
    readonly file: string,
    private readonly options: ReadPassagesOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Passage> {
    if (this.started) throw new Error(`PassageReader for ${this.file} can be iterated only once`);
    this.started = true;
    const { chunks } = await openInput(this.file);
    const stats = this.stats;
    const requested = this.options.format ?? 'auto';
    let format: CorpusFormat | undefined = requested === 'auto' ? formatFromName(this.file) : requested;
    stats.format = format;
    let lineNo = 0;
    for await (const line of readLines(chunks)) {
      lineNo++;
      if (line.trim() === '') continue;
      if (format === 'dpr-tsv' && stats.read === 0 && stats.skipped === 0 && isDprHeader(line)) continue;
      if (format === undefined) {
        format = detectFormat(line) ?? undefined;
        stats.format = format;
        if (format === 'dpr-tsv' && isDprHeader(line)) continue;
      }
      let passage: Passage;
      try {
        if (format === undefined)
          throw new LineError('not a passage in any known format (pyserini, beir, jsonl, dpr-tsv)');
        passage = PARSERS[format](line);
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        if (this.options.onError !== 'skip') throw new CorpusFormatError(this.file, lineNo, err.message);
        stats.skipped++;
        if (stats.skippedLines.length < MAX_SKIPPED_LINES) stats.skippedLines.push(lineNo);
        continue;
      }
      stats.read++;
      yield passage;
    }
    stats.done = true;
  }
}

function formatFromName(file: string): CorpusFormat | undefined {
  return /\.tsv(\.gz)?$/i.test(file) ? 'dpr-tsv' : undefined;
}

/**
 * Streams the passages of a corpus file (plain or gzip/bzip2, detected by magic bytes).
 *
 * @example
 * const reader = readPassages('corpus.jsonl.gz', { onError: 'skip' });
 * for await (const p of reader) console.log(p.id);
 * console.log(reader.stats.skipped, reader.stats.skippedLines);
 */
export function readPassages(file: string, options: ReadPassagesOptions = {}): PassageReader {
  return new PassageReader(file, options);
}
