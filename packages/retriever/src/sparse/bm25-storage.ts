import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { writeDirAtomic } from '@kard/core';
import type { Bm25Data } from './bm25-data';
import {
  arraySpec,
  assembleBm25Data,
  BM25_FILE_KEYS as FILE_KEYS,
  BM25_INDEX_FORMAT,
  BM25_INDEX_VERSION,
  bm25FileNames as fileNames,
  type Bm25FileKey as FileKey,
  type Bm25Manifest,
  BYTES,
  checkBm25Manifest,
  checksumMismatch,
  MAKE,
  MAKE_SHARED,
} from './bm25-format';
import { IndexFormatError } from './errors';
import { checkBm25Structure, deepCheckBm25, type TypedArray } from './bm25-verify';
import { readTypedArray, writeTypedArray } from './typed-files';

export { BM25_INDEX_FORMAT, BM25_INDEX_VERSION, type Bm25Manifest } from './bm25-format';

/** zlib's crc32 reads at most this much per call (its length is a 32-bit integer). */
const CRC_CHUNK = 1 << 30;

/** crc32 of an array's bytes as stored (little-endian), 8 hex digits (zlib's; equal to bm25-format's crc32Js). */
export function crc32Of(array: TypedArray): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let crc = 0;
  for (let at = 0; at < bytes.length; at += CRC_CHUNK)
    crc = crc32(bytes.subarray(at, Math.min(at + CRC_CHUNK, bytes.length)), crc);
  return crc.toString(16).padStart(8, '0');
}

/** What a saved index folder is, for writeDirAtomic's ownership check: its manifest.json with our format. */
export const BM25_INDEX_OWNER = { kind: 'BM25 index', manifest: 'manifest.json', format: BM25_INDEX_FORMAT } as const;

/**
 * Saves index arrays to the folder `dir` atomically (temporary folder, then rename). An existing `dir` is
 * replaced only when it is empty or an index folder, unless `overwrite` (see @kard/core's assertReplaceable).
 */
export async function saveBm25Data(d: Bm25Data, dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
  const termBytes = Buffer.from(d.terms.join('\n'), 'utf8');
  let totalLength = 0;
  let documentsWithTerms = 0;
  for (let i = 0; i < d.docLengths.length; i++) {
    totalLength += d.docLengths[i];
    if (d.docLengths[i] > 0) documentsWithTerms++;
  }
  const arrays = {
    ids: { file: 'ids.utf8', type: 'uint8', data: d.ids.bytes },
    idOffsets: { file: 'id-offsets.u32', type: 'uint32', data: d.ids.offsets },
    idOrder: { file: 'id-order.u32', type: 'uint32', data: d.ids.sortedRows },
    docLengths: { file: 'doc-lengths.u32', type: 'uint32', data: d.docLengths },
    terms: {
      file: 'terms.utf8',
      type: 'uint8',
      data: new Uint8Array(termBytes.buffer, termBytes.byteOffset, termBytes.length),
    },
    termOffsets: { file: 'term-offsets.u32', type: 'uint32', data: d.termOffsets },
    postingDocs: { file: 'posting-docs.u32', type: 'uint32', data: d.postingDocs },
    postingTfs: {
      file: d.postingTfs instanceof Uint16Array ? 'posting-tfs.u16' : 'posting-tfs.u32',
      type: d.postingTfs instanceof Uint16Array ? 'uint16' : 'uint32',
      data: d.postingTfs,
    },
  } as const;
  const files = {} as Bm25Manifest['files'];
  for (const [key, a] of Object.entries(arrays))
    files[key as keyof typeof arrays] = { file: a.file, type: a.type, length: a.data.length, crc32: crc32Of(a.data) };
  const manifest: Bm25Manifest = {
    format: BM25_INDEX_FORMAT,
    version: BM25_INDEX_VERSION,
    createdAt: new Date().toISOString(),
    byteOrder: 'little',
    params: d.params,
    analyzer: { ...d.analyzer, tokens: '[\\p{L}\\p{N}]+', lowercase: true },
    counts: {
      documents: d.docLengths.length,
      documentsWithTerms,
      terms: d.terms.length,
      postings: d.postingDocs.length,
      totalLength,
    },
    corpus: d.corpus,
    files,
  };
  checkByteOrder(dir);
  await writeDirAtomic(
    dir,
    (tmp) => {
      for (const a of Object.values(arrays)) writeTypedArray(path.join(tmp, a.file), a.data);
      // The manifest goes last: a folder with a manifest has all its arrays.
      fs.writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
    { ...BM25_INDEX_OWNER, overwrite: options.overwrite },
  );
}

/** Reads the manifest of an index folder, checking format and version. */
export function readBm25Manifest(dir: string): Bm25Manifest {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new IndexFormatError(dir, 'no such folder');
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file))
    throw new IndexFormatError(dir, 'manifest.json is missing (not an index folder, or an unfinished write)');
  let manifest: Bm25Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Bm25Manifest;
  } catch (err) {
    throw new IndexFormatError(dir, 'manifest.json is not valid JSON', { cause: err });
  }
  return checkBm25Manifest(dir, manifest);
}

export interface LoadBm25Options {
  /**
   * Allocate every array on a SharedArrayBuffer (read straight into it, as always: no second copy), so worker
   * threads can search the loaded index without copies. Default false.
   */
  shared?: boolean;
}

/**
 * One array file read straight into its final typed array (on a SharedArrayBuffer with `shared`), size-checked
 * against the manifest; its checksum is left to the caller.
 */
function readArrayFile(dir: string, m: Bm25Manifest, key: FileKey, shared = false): TypedArray {
  const spec = arraySpec(dir, m, key);
  const file = path.join(dir, spec.file);
  if (!fs.existsSync(file)) throw new IndexFormatError(dir, `${spec.file} is missing`);
  const expected = spec.length * BYTES[spec.type];
  const actual = fs.statSync(file).size;
  if (actual !== expected)
    throw new IndexFormatError(dir, `${spec.file} has ${actual} bytes, the manifest says ${expected}`);
  return readTypedArray(file, (shared ? MAKE_SHARED : MAKE)[spec.type] as (n: number) => TypedArray, spec.length);
}

/**
 * Reads the arrays saved by `saveBm25Data`, each straight into its final typed array (on SharedArrayBuffers with
 * `shared`), checking every file against the manifest: its size, its crc32, and the structure search relies on
 * (see `checkBm25Structure`). Throws `IndexFormatError` naming the file at the first problem.
 */
export function loadBm25Data(dir: string, options: LoadBm25Options = {}): Bm25Data {
  checkByteOrder(dir);
  const m = readBm25Manifest(dir);
  const arrays = {} as Record<FileKey, TypedArray>;
  for (const key of FILE_KEYS) {
    const array = readArrayFile(dir, m, key, options.shared);
    const spec = m.files[key];
    const actual = crc32Of(array);
    if (actual !== spec.crc32) throw new IndexFormatError(dir, checksumMismatch(spec, actual));
    arrays[key] = array;
  }
  const data = assembleBm25Data(dir, m, arrays, options.shared);
  checkBm25Structure(dir, data, fileNames(m));
  return data;
}

/** One array file as `checkBm25Index` found it. */
export interface Bm25FileCheck {
  file: string;
  bytes: number;
  /** Whether the file's crc32 matches the manifest's. */
  checksum: 'ok' | 'mismatch';
}

export interface Bm25CheckReport {
  manifest: Bm25Manifest;
  files: Bm25FileCheck[];
  /** Everything found wrong, each naming its file; empty for a sound index. */
  problems: string[];
}

/**
 * Verifies an index folder completely: every file's size and crc32 (all of them, not stopping at the first
 * mismatch), the structure loading checks, and the costlier checks loading skips (ids in order and unique, terms
 * unique). Throws `IndexFormatError` only when the folder cannot be read at all (no manifest, a missing or
 * truncated file); what is wrong inside the files is listed in `problems`.
 */
export function checkBm25Index(dir: string): Bm25CheckReport {
  checkByteOrder(dir);
  const manifest = readBm25Manifest(dir);
  const arrays = {} as Record<FileKey, TypedArray>;
  const files: Bm25FileCheck[] = [];
  const problems: string[] = [];
  for (const key of FILE_KEYS) {
    const array = readArrayFile(dir, manifest, key);
    const spec = manifest.files[key];
    const actual = crc32Of(array);
    const checksum = actual === spec.crc32 ? 'ok' : 'mismatch';
    if (checksum === 'mismatch') problems.push(checksumMismatch(spec, actual));
    files.push({ file: spec.file, bytes: array.byteLength, checksum });
    arrays[key] = array;
  }
  try {
    const data = assembleBm25Data(dir, manifest, arrays);
    checkBm25Structure(dir, data, fileNames(manifest));
    problems.push(...deepCheckBm25(data, fileNames(manifest)));
  } catch (err) {
    if (!(err instanceof IndexFormatError)) throw err;
    problems.push(err.message.slice(`index ${dir}: `.length));
  }
  return { manifest, files, problems };
}

function checkByteOrder(dir: string): void {
  if (os.endianness() !== 'LE')
    throw new IndexFormatError(dir, 'index files are little-endian; this platform is big-endian');
}
