import { CorpusFormatError } from '../errors';
import { openInput, readLines } from '../input/open-input';
import type { Passage } from '../passage';
import { type CorpusFormat, detectFormat, isDprHeader, LineError, PARSERS } from './formats';

export interface ReadPassagesOptions {
  /** Line format; `'auto'` (default) uses `.tsv` in the name, else the keys of the first JSON line. */
  format?: 'auto' | CorpusFormat;
  /** What a malformed line does: `'throw'` (default) a `CorpusFormatError`, or `'skip'` it and count it. */
  onError?: 'throw' | 'skip';
  /**
   * What bytes that are not UTF-8 do: `'count'` (default) read them as U+FFFD and count them in `stats.invalidUtf8`,
   * or `'throw'` a `CorpusFormatError` at the first line holding one (the CLIs' `--strict`).
   */
  onInvalidUtf8?: 'count' | 'throw';
}

/** Bytes that were not UTF-8, read as U+FFFD. */
export interface InvalidUtf8Stats {
  /** Invalid sequences (each became one U+FFFD). */
  sequences: number;
  /** Lines holding at least one. */
  lines: number;
  /** 1-based number of the first such line. */
  firstLine: number;
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
  /** 1-based line of the passage yielded last (0 before the first). */
  line: number;
  /** True once the whole file has been read. */
  done: boolean;
  /** Set when some bytes were not UTF-8 (and `onInvalidUtf8` is `'count'`). */
  invalidUtf8?: InvalidUtf8Stats;
}

export const MAX_SKIPPED_LINES = 10;

/** The message of a line no format parses (the file's format not yet known). */
export const UNKNOWN_FORMAT = 'not a passage in any known format (pyserini, beir, jsonl, dpr-tsv)';

/** The error for a line with bytes that are not UTF-8, when they are refused (`--strict`). */
export function invalidUtf8Error(file: string, line: number, sequences: number): CorpusFormatError {
  return new CorpusFormatError(
    file,
    line,
    `${sequences} byte sequence${sequences === 1 ? ' is' : 's are'} not UTF-8 (is the file Latin-1 or binary?); convert it to UTF-8, or leave out --strict to read them as U+FFFD`,
  );
}

/** `seen` (undefined: none yet) with one more line of `sequences` invalid UTF-8 sequences, at `line`. */
export function countInvalidUtf8(
  seen: InvalidUtf8Stats | undefined,
  line: number,
  sequences: number,
): InvalidUtf8Stats {
  const out = seen ?? { sequences: 0, lines: 0, firstLine: line };
  out.sequences += sequences;
  out.lines++;
  return out;
}

/** A corpus file as a stream of passages. Iterate it once; `stats` is complete when iteration ends. */
export class PassageReader implements AsyncIterable<Passage> {
  readonly stats: ReadStats = { read: 0, skipped: 0, skippedLines: [], line: 0, done: false };
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
    const stem = fileStem(this.file);
    const onInvalidUtf8 = (line: number, sequences: number) => {
      if (this.options.onInvalidUtf8 === 'throw') throw invalidUtf8Error(this.file, line, sequences);
      stats.invalidUtf8 = countInvalidUtf8(stats.invalidUtf8, line, sequences);
    };
    for await (const line of readLines(chunks, { onInvalidUtf8 })) {
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
        if (format === undefined) throw new LineError(UNKNOWN_FORMAT);
        passage = PARSERS[format](line, { index: stats.read, stem });
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        if (this.options.onError !== 'skip') throw new CorpusFormatError(this.file, lineNo, err.message);
        stats.skipped++;
        if (stats.skippedLines.length < MAX_SKIPPED_LINES) stats.skippedLines.push(lineNo);
        continue;
      }
      stats.read++;
      stats.line = lineNo;
      yield passage;
    }
    stats.done = true;
  }
}

/** The format a file name implies (`.tsv`: dpr-tsv, `.txt`: facts), if any. */
export function formatFromName(file: string): CorpusFormat | undefined {
  if (/\.tsv(\.gz)?$/i.test(file)) return 'dpr-tsv';
  return /\.txt(\.gz|\.bz2)?$/i.test(file) ? 'facts' : undefined;
}

/** "openbook" for ".../openbook.txt.gz". */
export function fileStem(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/(\.[A-Za-z0-9]+)+$/, '');
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

/** The warning line the CLIs print for a corpus file with bytes that are not UTF-8 (no trailing newline). */
export function invalidUtf8Warning(file: string, s: InvalidUtf8Stats): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `warning: ${file}:${s.firstLine}: ${plural(s.sequences, 'byte sequence')} not valid UTF-8 on ${plural(s.lines, 'line')} (the first on this line), read as U+FFFD; --strict refuses them`;
}
