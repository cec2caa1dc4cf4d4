// The index folder's format without the folder: the manifest's checks and how its arrays become `Bm25Data`, for
// every reader of the bytes (bm25-storage.ts reads them from files; a browser fetches them). No Node built-ins.
import type { AnalyzerSettings } from '../analysis';
import type { Bm25Data, Bm25Params, CorpusFileInfo } from './bm25-data';
import { IndexFormatError } from './errors';
import { IdTable, rankOf } from './id-table';
import { checkBm25Structure, type Bm25FileNames, type TypedArray } from './bm25-verify';

export const BM25_INDEX_FORMAT = 'kard-bm25-index';
/**
 * Bumped whenever the files or their meaning change; a folder of another version is refused ("rebuild the index").
 * Version 2: every array file has a crc32 in the manifest (version 1 had an optional sha256; crc32 runs at about
 * twice sha256's speed, 3.3 against 1.7 GB/s here, and catches truncation and flipped bytes alike). The postings
 * stay uncompressed uint32 document rows and uint16/uint32 term frequencies, which measured fastest
 * (tools/bench/retrieval/postings.mjs); the blocks pruning needs are derived at load, not stored.
 */
export const BM25_INDEX_VERSION = 2;

export type ArrayType = 'uint8' | 'uint16' | 'uint32';

export interface ArrayFile {
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

export type Bm25FileKey = keyof Bm25Manifest['files'];
export const BM25_FILE_KEYS: Bm25FileKey[] = [
  'ids',
  'idOffsets',
  'idOrder',
  'docLengths',
  'terms',
  'termOffsets',
  'postingDocs',
  'postingTfs',
];

export const BYTES: Record<ArrayType, number> = { uint8: 1, uint16: 2, uint32: 4 };
export const MAKE = {
  uint8: (n: number) => new Uint8Array(n),
  uint16: (n: number) => new Uint16Array(n),
  uint32: (n: number) => new Uint32Array(n),
};

/** Checks a parsed manifest.json (format, version, shape); `where` names the index in errors. */
export function checkBm25Manifest(where: string, manifest: Bm25Manifest): Bm25Manifest {
  if (manifest?.format !== BM25_INDEX_FORMAT) {
    throw new IndexFormatError(
      where,
      `not a BM25 index (format ${JSON.stringify(manifest?.format)}, expected ${JSON.stringify(BM25_INDEX_FORMAT)})`,
    );
  }
  if (manifest.version !== BM25_INDEX_VERSION) {
    throw new IndexFormatError(
      where,
      `written by index format version ${manifest.version}; this @kard/retriever reads version ` +
        `${BM25_INDEX_VERSION}: rebuild the index`,
    );
  }
  const bad = manifestShapeError(manifest);
  if (bad) throw new IndexFormatError(where, `manifest.json is malformed: ${bad}`);
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

/** The manifest's entry for one array, or an error naming the index when it has none. */
export function arraySpec(where: string, m: Bm25Manifest, key: Bm25FileKey): ArrayFile {
  const spec = m.files?.[key];
  if (!spec || !(spec.type in BYTES)) throw new IndexFormatError(where, `manifest.json lacks the array ${key}`);
  return spec;
}

export const MAKE_SHARED = {
  uint8: (n: number) => new Uint8Array(new SharedArrayBuffer(n)),
  uint16: (n: number) => new Uint16Array(new SharedArrayBuffer(2 * n)),
  uint32: (n: number) => new Uint32Array(new SharedArrayBuffer(4 * n)),
};

export const checksumMismatch = (spec: ArrayFile, actual: string) =>
  `${spec.file} is corrupt: its crc32 is ${actual}, the manifest says ${spec.crc32} (rebuild the index)`;

let crcTable: Uint32Array | undefined;

/**
 * crc32 (IEEE, zlib's) of bytes, 8 hex digits, in plain JS for readers without node:zlib (a browser); Node's
 * loader uses zlib.crc32, which gives the same value faster.
 */
export function crc32Js(bytes: Uint8Array): string {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

const utf8 = new TextDecoder();

/** The arrays as `Bm25Data`, their counts checked against the manifest (no checksums, no structure). */
export function assembleBm25Data(
  where: string,
  m: Bm25Manifest,
  a: Record<Bm25FileKey, TypedArray>,
  shared = false,
): Bm25Data {
  // shared: the id ranks too go on a SharedArrayBuffer (IdTable takes a given rank as computed)
  const order = a.idOrder as Uint32Array;
  const rank = shared ? rankOf(order, new Uint32Array(new SharedArrayBuffer(4 * order.length))) : undefined;
  const ids = new IdTable(a.ids as Uint8Array, a.idOffsets as Uint32Array, a.idOrder as Uint32Array, rank);
  const terms = m.counts.terms === 0 ? [] : utf8.decode(a.terms).split('\n');
  const docLengths = a.docLengths as Uint32Array;
  const termOffsets = a.termOffsets as Uint32Array;
  if (
    terms.length !== m.counts.terms ||
    termOffsets.length !== terms.length + 1 ||
    docLengths.length !== m.counts.documents ||
    ids.size !== docLengths.length ||
    a.postingDocs.length !== m.counts.postings
  ) {
    throw new IndexFormatError(where, 'array sizes disagree with manifest counts');
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

export const bm25FileNames = (m: Bm25Manifest) =>
  Object.fromEntries(BM25_FILE_KEYS.map((k) => [k, m.files[k].file])) as unknown as Bm25FileNames;

/**
 * `Bm25Data` from an index's manifest and the bytes of its array files (fetched, or read by any means): each array
 * is size-checked against the manifest, and the whole against the structure search relies on, as `loadBm25Data`
 * checks a folder. Checksums are the caller's (see `bm25ChecksumProblems`). The bytes are copied when they are not
 * aligned for their element type.
 */
export function bm25DataFromBuffers(
  where: string,
  manifest: Bm25Manifest,
  buffers: Record<Bm25FileKey, Uint8Array>,
): Bm25Data {
  const m = checkBm25Manifest(where, manifest);
  const arrays = {} as Record<Bm25FileKey, TypedArray>;
  for (const key of BM25_FILE_KEYS) {
    const spec = arraySpec(where, m, key);
    const bytes = buffers[key];
    if (!bytes) throw new IndexFormatError(where, `${spec.file} is missing`);
    const expected = spec.length * BYTES[spec.type];
    if (bytes.byteLength !== expected)
      throw new IndexFormatError(where, `${spec.file} has ${bytes.byteLength} bytes, the manifest says ${expected}`);
    const size = BYTES[spec.type];
    if (bytes.byteOffset % size === 0) {
      const View = { uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[spec.type];
      arrays[key] = new View(bytes.buffer as ArrayBuffer, bytes.byteOffset, spec.length);
    } else {
      const array = MAKE[spec.type](spec.length);
      new Uint8Array(array.buffer).set(bytes);
      arrays[key] = array;
    }
  }
  const data = assembleBm25Data(where, m, arrays);
  checkBm25Structure(where, data, bm25FileNames(m));
  return data;
}

/** Each array whose bytes disagree with the manifest's crc32, as the message loading throws. */
export function bm25ChecksumProblems(
  manifest: Bm25Manifest,
  buffers: Record<Bm25FileKey, Uint8Array>,
  crc32: (bytes: Uint8Array) => string = crc32Js,
): string[] {
  const problems: string[] = [];
  for (const key of BM25_FILE_KEYS) {
    const spec = manifest.files[key];
    if (spec?.crc32 === undefined || !buffers[key]) continue;
    const actual = crc32(buffers[key]);
    if (actual !== spec.crc32) problems.push(checksumMismatch(spec, actual));
  }
  return problems;
}
