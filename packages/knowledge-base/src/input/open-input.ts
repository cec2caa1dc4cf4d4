import { createReadStream, promises as fsp } from 'node:fs';
import { PassThrough, pipeline, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
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
}

/** Compression by magic bytes, never by file name: `.gz` files that are not gzip exist in the wild. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  return 'none';
}

/** Opens a plain, gzip or bzip2 file as a stream of decompressed bytes. */
export async function openInput(file: string): Promise<OpenedInput> {
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
  if (compression === 'gzip') pipeline(raw, counter, createGunzip(), out, () => {});
  else if (compression === 'bzip2') pipeline(raw, counter, unbzip2(), out, () => {});
  else pipeline(raw, counter, out, () => {});
  const what = compression === 'none' ? 'input' : `${compression} input`;
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of out) yield chunk as Buffer;
    } catch (err) {
      throw new InputFileError(file, `cannot read ${what} (${(err as Error).message})`, { cause: err });
    } finally {
      out.destroy();
    }
  }
  return { chunks: chunks(), close: () => out.destroy(), compression, bytes, bytesRead: () => read };
}

/** Lines of a UTF-8 stream without their `\n` / `\r\n` terminators. Stream errors propagate to the consumer. */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of stream) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const parts = text.split('\n');
    carry = parts.pop()!;
    for (const line of parts) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  const rest = carry + decoder.end();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
