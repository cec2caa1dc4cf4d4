import { closeSync, openSync, writeSync } from 'node:fs';

/** Buffered sequential writes to one file, counting the bytes written (the next record's offset). */
export class FileWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(4 << 20);
  private pos = 0;
  /** Bytes handed to `write` so far (flushed or not). */
  bytes = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'wx');
  }

  writeString(s: string): number {
    // A UTF-16 code unit is at most 3 UTF-8 bytes, so this bound never truncates a character.
    if (s.length * 3 > this.buf.length - this.pos) this.flush();
    let n: number;
    if (s.length * 3 > this.buf.length) {
      const b = Buffer.from(s, 'utf8');
      this.writeAll(b);
      n = b.length;
    } else {
      n = this.buf.write(s, this.pos, 'utf8');
      this.pos += n;
    }
    this.bytes += n;
    return n;
  }

  writeBytes(b: Uint8Array): void {
    if (b.length > this.buf.length - this.pos) this.flush();
    if (b.length > this.buf.length) this.writeAll(b);
    else {
      this.buf.set(b, this.pos);
      this.pos += b.length;
    }
    this.bytes += b.length;
  }

  flush(): void {
    this.writeAll(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private writeAll(b: Uint8Array): void {
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done);
  }
}
