import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalyzerSettings } from '../analysis';
import { writeDirAtomic } from '@kard/core';
import type { Bm25Data, Bm25Params, CorpusFileInfo } from './bm25-data';
import { IndexFormatError } from './errors';
import { IdTable } from './id-table';
import { checkBm25Structure, crc32Of, deepCheckBm25, type Bm25FileNames, type TypedArray } from './bm25-verify';
import { readTypedArray, writeTypedArray } from './typed-files';

export const BM25_INDEX_FORMAT = 'kard-bm25-index';
/**
 * Bumped whenever the files or their meaning change; a folder of another version is refused ("rebuild the index").
 * Version 2: every array file has a crc32 in the manifest (version 1 had an optional sha256; crc32 runs at about
 * twice sha256's speed, 3.3 against 1.7 GB/s here, and catches truncation and flipped bytes alike). The postings
 * stay uncompressed uint32 document rows and uint16/uint32 term frequencies, which measured fastest
 * (tools/bench/retrieval/postings.mjs); the blocks pruning needs are derived at load, not stored.
 */
export const BM25_INDEX_VERSION = 2;

type ArrayType = 'uint8' | 'uint16' | 'uint32';

interface ArrayFile {
  file: string;
  type: ArrayType;
  length: number;
  /** crc32 of the file's bytes (8 hex digits), checked on load. */
  crc32: string;
}

/** manifest.json of a saved BM25 index folder. */
export interface Bm25Manifest {
  format: typeof BM25_INDEX_FORMAT;
  version: number;
  createdAt: string;
  byteOrder: 'little';
  params: Bm25Params;
  analyzer: AnalyzerSettings & { tokens: string; lowercase: true };
  counts: { documents: number; documentsWithTerms: number; terms: number; postings: number; totalLength: number };
  corpus: CorpusFileInfo[];
  files: Record<
    'ids' | 'idOffsets' | 'idOrder' | 'docLengths' | 'terms' | 'termOffsets' | 'postingDocs' | 'postingTfs',
    ArrayFile
  >;
}

const BYTES: Record<ArrayType, number> = { uint8: 1, uint16: 2, uint32: 4 };
const MAKE = {
  uint8: (n: number) => new Uint8Array(n),
  uint16: (n: number) => new Uint16Array(n),
  uint32: (n: number) => new Uint32Array(n),
};
const MAKE_SHARED = {
  uint8: (n: number) => new Uint8Array(new SharedArrayBuffer(n)),
  uint16: (n: number) => new Uint16Array(new SharedArrayBuffer(2 * n)),
  uint32: (n: number) => new Uint32Array(new SharedArrayBuffer(4 * n)),
};

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
  if (manifest?.format !== BM25_INDEX_FORMAT) {
    throw new IndexFormatError(
      dir,
      `not a BM25 index (format ${JSON.stringify(manifest?.format)}, expected ${JSON.stringify(BM25_INDEX_FORMAT)})`,
    );
  }
  if (manifest.version !== BM25_INDEX_VERSION) {
    throw new IndexFormatError(
      dir,
      `written by index format version ${manifest.version}; this @kard/retriever reads version ` +
        `${BM25_INDEX_VERSION}: rebuild the index`,
    );
  }
  const bad = manifestShapeError(manifest);
  if (bad) throw new IndexFormatError(dir, `manifest.json is malformed: ${bad}`);
  return manifest;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** What in a (format- and version-checked) manifest the loader cannot use, or undefined when it is usable. */
function manifestShapeError(m: Bm25Manifest): string | undefined {
  if (!isObject(m.params) || !Number.isFinite(m.params.k1) || !Number.isFinite(m.params.b))
    return '"params" must hold numbers k1 and b';
  if (!isObject(m.analyzer) || !['porter', 'none'].includes(m.analyzer.stemmer as string))
    return `"analyzer.stemmer" must be "porter" or "none"`;
  if (!['lucene', 'none'].includes(m.analyzer.stopwords as string))
    return `"analyzer.stopwords" must be "lucene" or "none"`;
  if (!isObject(m.counts) || !isCount(m.counts.terms) || !isCount(m.counts.documents))
    return '"counts" must hold the numbers of terms and documents';
  if (!isObject(m.files)) return '"files" must be an object';
  for (const [key, spec] of Object.entries(m.files)) {
    if (!isObject(spec)) return `"files.${key}" must be an object`;
    if (typeof spec.file !== 'string' || spec.file === '' || /[/\\]/.test(spec.file) || spec.file.startsWith('.'))
      return `"files.${key}.file" must be a file name inside the index folder`;
    if (!Object.prototype.hasOwnProperty.call(BYTES, spec.type as string))
      return `"files.${key}.type" must be one of ${Object.keys(BYTES).join(', ')}`;
    if (!isCount(spec.length)) return `"files.${key}.length" must be a count`;
    if (typeof spec.crc32 !== 'string' || !/^[0-9a-f]{8}$/.test(spec.crc32))
      return `"files.${key}.crc32" must be 8 hex digits`;
  }
  return undefined;
}

export interface LoadBm25Options {
  /**
   * Allocate every array on a SharedArrayBuffer (read straight into it, as always: no second copy), so worker
   * threads can search the loaded index without copies. Default false.
   */
  shared?: boolean;
}

type FileKey = keyof Bm25Manifest['files'];
const FILE_KEYS: FileKey[] = [
  'ids',
  'idOffsets',
  'idOrder',
  'docLengths',
  'terms',
  'termOffsets',
  'postingDocs',
  'postingTfs',
];

/**
 * One array file read straight into its final typed array, size-checked against the manifest; its checksum is
 * left to the caller.
 */
function readArrayFile(dir: string, m: Bm25Manifest, key: FileKey, shared = false): TypedArray {
  const spec = m.files?.[key];
  if (!spec || !(spec.type in BYTES)) throw new IndexFormatError(dir, `manifest.json lacks the array ${key}`);
  const file = path.join(dir, spec.file);
  if (!fs.existsSync(file)) throw new IndexFormatError(dir, `${spec.file} is missing`);
  const expected = spec.length * BYTES[spec.type];
  const actual = fs.statSync(file).size;
  if (actual !== expected)
    throw new IndexFormatError(dir, `${spec.file} has ${actual} bytes, the manifest says ${expected}`);
  return readTypedArray(file, (shared ? MAKE_SHARED : MAKE)[spec.type] as (n: number) => TypedArray, spec.length);
}

const checksumMismatch = (spec: ArrayFile, actual: string) =>
  `${spec.file} is corrupt: its crc32 is ${actual}, the manifest says ${spec.crc32} (rebuild the index)`;

/** The arrays as `Bm25Data`, their counts checked against the manifest (no checksums, no structure). */
function assemble(dir: string, m: Bm25Manifest, a: Record<FileKey, TypedArray>, shared = false): Bm25Data {
  const n = a.idOrder.length;
  const rank = shared ? new Uint32Array(new SharedArrayBuffer(4 * n)) : undefined;
  const ids = new IdTable(a.ids as Uint8Array, a.idOffsets as Uint32Array, a.idOrder as Uint32Array, rank);
  const termBytes = a.terms;
  const terms =
    m.counts.terms === 0
      ? []
      : Buffer.from(termBytes.buffer, termBytes.byteOffset, termBytes.byteLength).toString('utf8').split('\n');
  const docLengths = a.docLengths as Uint32Array;
  const termOffsets = a.termOffsets as Uint32Array;
  if (
    terms.length !== m.counts.terms ||
    termOffsets.length !== terms.length + 1 ||
    docLengths.length !== m.counts.documents ||
    ids.size !== docLengths.length ||
    a.postingDocs.length !== m.counts.postings
  ) {
    throw new IndexFormatError(dir, 'array sizes disagree with manifest counts');
  }
  return {
    params: m.params,
    analyzer: { stemmer: m.analyzer.stemmer, stopwords: m.analyzer.stopwords },
    ids,
    docLengths,
    terms,
    termOffsets,
    postingDocs: a.postingDocs as Uint32Array,
    postingTfs: a.postingTfs as Uint16Array | Uint32Array,
    corpus: m.corpus ?? [],
  };
}

const fileNames = (m: Bm25Manifest) =>
  Object.fromEntries(FILE_KEYS.map((k) => [k, m.files[k].file])) as unknown as Bm25FileNames;

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
  const data = assemble(dir, m, arrays, options.shared);
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
    const data = assemble(dir, manifest, arrays);
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
