import { isUtf8 } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, promises as fsp, type ReadStream } from 'node:fs';
import { PassThrough, pipeline, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import unbzip2 from 'unbzip2-stream';
import { InputFileError } from '../errors';

export type Compression = 'none' | 'gzip' | 'bzip2';

export interface OpenedInput {
  /** The decompressed bytes; a read or decompression failure surfaces as an `InputFileError`. */
  chunks: AsyncIterable<Buffer>;
  /** Stops reading early (a consumer that breaks out of `chunks` need not call it). */
  close(): void;
  compression: Compression;
  /** Size of the file on disk (compressed), for progress bars. */
  bytes: number;
  /** Compressed bytes read so far: progress that needs no knowledge of the decompressed size. */
  bytesRead(): number;
  /** What decompresses: `lbzip2` (a child process, parallel), `js` (unbzip2-stream), `zlib`, or `none`. */
  decoder: 'lbzip2' | 'js' | 'zlib' | 'none';
}

export interface OpenInputOptions {
  /**
   * bzip2 decoder: `'auto'` (default) runs `lbzip2 -dc` as a child process when it is on the PATH (parallel, many
   * times faster) and falls back to the pure-JS stream; `'js'` forces the fallback, `'lbzip2'` requires lbzip2.
   * The environment variable KARD_BZIP2 (`auto`, `js`, `lbzip2`) sets the default.
   */
  bzip2?: 'auto' | 'lbzip2' | 'js';
}

let lbzip2Found: boolean | undefined;
/** Whether `lbzip2` runs here (checked once per process). */
export function hasLbzip2(): boolean {
  lbzip2Found ??= spawnSync('lbzip2', ['--version'], { stdio: 'ignore' }).status === 0;
  return lbzip2Found;
}

function bzip2Decoder(file: string, options: OpenInputOptions): 'lbzip2' | 'js' {
  const choice = options.bzip2 ?? (process.env.KARD_BZIP2 as OpenInputOptions['bzip2']) ?? 'auto';
  if (choice === 'js') return 'js';
  if (choice === 'lbzip2') {
    if (!hasLbzip2()) throw new InputFileError(file, 'lbzip2 was required (KARD_BZIP2=lbzip2) but is not installed');
    return 'lbzip2';
  }
  if (choice !== 'auto')
    throw new InputFileError(file, `KARD_BZIP2 must be auto, js or lbzip2, got ${JSON.stringify(choice)}`);
  return hasLbzip2() ? 'lbzip2' : 'js';
}

/**
 * `lbzip2 -dc` as a stream stage: compressed bytes in through its stdin, decompressed out of `out`. A non-zero exit
 * (a truncated or corrupt file) destroys `out` with lbzip2's own message, so it is never a silently short input.
 */
function lbzip2Stage(raw: ReadStream, counter: Transform, out: PassThrough): () => void {
  const child = spawn('lbzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  pipeline(raw, counter, child.stdin, (err) => {
    // a read error is the input's; EPIPE (lbzip2 gone: the consumer stopped early, or lbzip2 failed) is not
    if (err && (err as NodeJS.ErrnoException).code !== 'EPIPE' && !out.destroyed) out.destroy(err);
  });
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(new Error(`lbzip2 ${signal ?? `exited with code ${code}`}: ${stderr.trim()}`));
  });
  return () => child.kill();
}

/** Compression by magic bytes, never by file name: `.gz` files that are not gzip exist in the wild. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  return 'none';
}

/** Opens a plain, gzip or bzip2 file as a stream of decompressed bytes. */
export async function openInput(file: string, options: OpenInputOptions = {}): Promise<OpenedInput> {
  let bytes: number;
  let head: Buffer;
  try {
    const fh = await fsp.open(file, 'r');
    try {
      bytes = (await fh.stat()).size;
      head = Buffer.alloc(3);
      const { bytesRead } = await fh.read(head, 0, 3, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'input file not found'
        : code === 'EISDIR'
          ? 'input is a directory'
          : 'cannot open input file';
    throw new InputFileError(file, reason, { cause: err });
  }
  const compression = detectCompression(head);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length;
      done(null, chunk);
    },
  });
  // pipeline destroys every stage on failure; the error reaches the consumer through the last stage, a modern
  // Readable (unbzip2-stream is a classic through-stream without async iteration).
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let decoder: OpenedInput['decoder'] = compression === 'gzip' ? 'zlib' : 'none';
  let stop = () => {};
  if (compression === 'gzip') pipeline(raw, counter, createGunzip(), out, () => {});
  else if (compression === 'bzip2') {
    decoder = bzip2Decoder(file, options);
    if (decoder === 'lbzip2') stop = lbzip2Stage(raw, counter, out);
    else pipeline(raw, counter, unbzip2(), out, () => {});
  } else pipeline(raw, counter, out, () => {});
  const what = compression === 'none' ? 'input' : `${compression} input`;
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of out) yield chunk as Buffer;
    } catch (err) {
      throw new InputFileError(file, `cannot read ${what} (${(err as Error).message})`, { cause: err });
    } finally {
      out.destroy();
      stop();
      raw.destroy();
    }
  }
  const close = () => {
    out.destroy();
    stop();
    raw.destroy();
  };
  return { chunks: chunks(), close, compression, bytes, bytesRead: () => read, decoder };
}

export interface ReadLinesOptions {
  /**
   * Called before a line whose bytes are not valid UTF-8 is yielded, with its 1-based number and how many invalid
   * sequences it holds (each one is read as U+FFFD). Throwing from it stops the reading.
   */
  onInvalidUtf8?: (line: number, sequences: number) => void;
}

const NEWLINE = 0x0a;
const REPLACEMENT = '\ufffd';
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, 'utf8');

/** Occurrences of U+FFFD in a decoded line, and of its UTF-8 encoding (EF BF BD) in the line's bytes. */
function replacementsIn(text: string): number {
  let n = 0;
  for (let at = text.indexOf(REPLACEMENT); at >= 0; at = text.indexOf(REPLACEMENT, at + 1)) n++;
  return n;
}
function encodedReplacementsIn(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(REPLACEMENT_BYTES); at >= 0; at = bytes.indexOf(REPLACEMENT_BYTES, at + 3)) n++;
  return n;
}

/**
 * The lines of `block`, whole lines of UTF-8 (a final `\n` ends the last line, it does not start an empty one),
 * without their `\n` / `\r\n` terminators; `invalid[i]`: the invalid UTF-8 sequences on line i (each read as U+FFFD),
 * only when `countInvalid` and some bytes are not UTF-8. A newline byte never sits inside a UTF-8 sequence, so
 * blocks cut after newlines decode exactly as one pass over the whole stream would.
 */
export function decodeLines(block: Buffer, countInvalid: boolean): { lines: string[]; invalid?: number[] } {
  const lines = block.toString('utf8').split('\n');
  if (block[block.length - 1] === NEWLINE) lines.pop();
  // Only a block with invalid bytes pays for the per-line count; isUtf8 is a fast native scan.
  const invalid = countInvalid && !isUtf8(block) ? invalidPerLine(block, lines) : undefined;
  for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return { lines, invalid };
}

/**
 * Lines of a UTF-8 stream without their `\n` / `\r\n` terminators. Stream errors propagate to the consumer.
 * Bytes are decoded a block of whole lines at a time (see `decodeLines`); invalid sequences become U+FFFD and,
 * when `onInvalidUtf8` is given, are reported per line.
 */
export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<string> {
  const onInvalid = options.onInvalidUtf8;
  let lineNo = 0;
  let pending: Buffer[] = []; // bytes of the line not yet ended
  function* lines(block: Buffer): Generator<string> {
    const { lines, invalid } = decodeLines(block, onInvalid !== undefined);
    for (let i = 0; i < lines.length; i++) {
      lineNo++;
      if (invalid && invalid[i] > 0) onInvalid!(lineNo, invalid[i]);
      yield lines[i];
    }
  }
  for await (const piece of stream) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      if (chunk.length > 0) pending.push(chunk);
      continue;
    }
    const head = chunk.subarray(0, last + 1);
    const block = pending.length > 0 ? Buffer.concat([...pending, head]) : head;
    pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    yield* lines(block);
  }
  if (pending.length > 0) yield* lines(Buffer.concat(pending));
}

/** Invalid UTF-8 sequences per line of `block` (its decoded lines are `parts`): U+FFFD decoded minus U+FFFD written. */
function invalidPerLine(block: Buffer, parts: string[]): number[] {
  const out = new Array<number>(parts.length).fill(0);
  let start = 0;
  for (let i = 0; i < parts.length; i++) {
    let end = block.indexOf(NEWLINE, start);
    if (end < 0) end = block.length;
    const bytes = block.subarray(start, end);
    if (!isUtf8(bytes)) out[i] = replacementsIn(parts[i]) - encodedReplacementsIn(bytes);
    start = end + 1;
  }
  return out;
}
