import * as fs from 'node:fs';

/** One read or write call moves at most this much (Node refuses single I/O calls above 2 GiB). */
const CHUNK = 1 << 30;

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** Writes the array's bytes (platform byte order, little-endian on every supported platform). */
export function writeTypedArray(file: string, array: TypedArray): void {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const fd = fs.openSync(file, 'w');
  try {
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const part = bytes.subarray(at, Math.min(at + CHUNK, bytes.length));
      let written = 0;
      while (written < part.length) written += fs.writeSync(fd, part, written);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a whole file into a fresh, aligned typed array of `length` elements. */
export function readTypedArray<T extends TypedArray>(file: string, make: (length: number) => T, length: number): T {
  const array = make(length);
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const fd = fs.openSync(file, 'r');
  try {
    let at = 0;
    while (at < bytes.length) {
      const n = fs.readSync(fd, bytes, at, Math.min(CHUNK, bytes.length - at), at);
      if (n === 0) break;
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return array;
}
