import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DatasetFormatError } from '../errors';

/** One answered request, as a line of the cache. */
export interface CacheRecord {
  id: string;
  rationales: string[];
  model: string;
  usage: { prompt_tokens: number; completion_tokens: number };
}

/**
 * Append-only JSONL cache of generated rationales. Each record is one `write` of one line, so a kill can tear
 * only the last line; opening the cache drops such a torn tail (truncating the file to its last newline)
 * before anything is appended. A malformed line that is not the last is real corruption and an error.
 */
export class RationaleCache {
  private readonly counts = new Map<string, number>();
  private readonly fd: number;
  readonly records: CacheRecord[] = [];
  /** Bytes of a torn last line dropped when opening. */
  readonly tornBytes: number;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const read = readCache(file);
    this.tornBytes = read.tornBytes;
    for (const r of read.records) {
      this.records.push(r);
      this.counts.set(r.id, (this.counts.get(r.id) ?? 0) + r.rationales.length);
    }
    if (read.tornBytes > 0) truncateSync(file, read.completeBytes);
    this.fd = openSync(file, 'a');
  }

  /** Rationales already cached for a question. */
  count(id: string): number {
    return this.counts.get(id) ?? 0;
  }

  append(r: CacheRecord): void {
    writeSync(this.fd, `${JSON.stringify(r)}\n`);
    fsyncSync(this.fd);
    this.records.push(r);
    this.counts.set(r.id, this.count(r.id) + r.rationales.length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The complete records of a cache file, without changing it: a torn last line is ignored. */
export function readCache(file: string): { records: CacheRecord[]; completeBytes: number; tornBytes: number } {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const records: CacheRecord[] = [];
  complete.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line) as CacheRecord);
    } catch {
      throw new DatasetFormatError('corrupt rationale cache line', file, i + 1);
    }
  });
  const completeBytes = Buffer.byteLength(complete);
  return { records, completeBytes, tornBytes: Buffer.byteLength(text) - completeBytes };
}
