import { readFileSync } from 'node:fs';
import { VectorFormatError } from './errors';

/** A row-major float matrix: `data.length === rows * cols`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/**
 * Reads a NumPy `.npy` file holding a 2-D little-endian float32 (or float64, converted) C-order array,
 * the format `np.save(path, embeddings.astype('float32'))` writes.
 */
export function readNpy(file: string): Matrix {
  const buf = readFileSync(file);
  const fail = (reason: string): never => {
    throw new VectorFormatError(file, 0, reason);
  };
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) fail('not a .npy file (bad magic string)');
  const major = buf[6];
  const headerLenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}`);
  const headerLen = headerLenBytes === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataStart = 8 + headerLenBytes + headerLen;
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', 8 + headerLenBytes, dataStart);

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('unreadable .npy header');
  if (fortran === 'True') fail('Fortran-order arrays are not supported (save a C-order array)');
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.length !== 2) fail(`expected a 2-D array [n, dim], got shape (${shapeText})`);
  const [rows, cols] = shape;
  const itemSize = descr === '<f4' ? 4 : descr === '<f8' ? 8 : fail(`expected dtype float32 ('<f4'), got '${descr}'`);
  const expected = rows * cols * itemSize;
  if (buf.length - dataStart !== expected) {
    fail(`data is ${buf.length - dataStart} bytes, shape (${rows}, ${cols}) needs ${expected}`);
  }

  const data = new Float32Array(rows * cols);
  const view = new DataView(buf.buffer, buf.byteOffset + dataStart, expected);
  if (itemSize === 4) for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(i * 8, true);
  return { rows, cols, data };
}

/** Encodes a float32 matrix as a version-1 `.npy` file (readable by `np.load`). */
export function encodeNpy(m: Matrix): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  // The header (with its trailing newline) pads the data start to a multiple of 64 bytes.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + m.data.length * 4);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const view = new DataView(out.buffer, out.byteOffset + 10 + header.length);
  for (let i = 0; i < m.data.length; i++) view.setFloat32(i * 4, m.data[i], true);
  return out;
}
