// The index folder's format without the folder: the manifest's checks and how its arrays become `Bm25Data`, for
// every reader of the bytes (bm25-storage.ts reads them from files; a browser fetches them). No Node built-ins.
import type { AnalyzerSettings } from '../analysis';
import type { Bm25Data, Bm25Params, CorpusFileInfo } from './bm25-data';
import { IndexFormatError } from './errors';
import { IdTable } from './id-table';
import { checkBm25Structure, type Bm25FileNames, type TypedArray } from './bm25-verify';

export const BM25_INDEX_FORMAT = 'kard-bm25-index';
/**
 * Bumped whenever the files or their meaning change; a folder of another version is refused. The per-file sha256
 * came later within version 1 (the files did not change): a folder without them loads with a warning.
 */
export const BM25_INDEX_VERSION = 1;

export type ArrayType = 'uint8' | 'uint16' | 'uint32';

export interface ArrayFile {
  file: string;
  type: ArrayType;
  length: number;
  /** sha256 of the file's bytes, checked on load. Absent in indexes written before checksums. */
  sha256?: string;
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
  }
  return undefined;
}

/** The manifest's entry for one array, or an error naming the index when it has none. */
export function arraySpec(where: string, m: Bm25Manifest, key: Bm25FileKey): ArrayFile {
  const spec = m.files?.[key];
  if (!spec || !(spec.type in BYTES)) throw new IndexFormatError(where, `manifest.json lacks the array ${key}`);
  return spec;
}

export const checksumMismatch = (spec: ArrayFile, actual: string) =>
  `${spec.file} is corrupt: its sha256 is ${actual}, the manifest says ${spec.sha256} (rebuild the index)`;

const utf8 = new TextDecoder();

/** The arrays as `Bm25Data`, their counts checked against the manifest (no checksums, no structure). */
export function assembleBm25Data(where: string, m: Bm25Manifest, a: Record<Bm25FileKey, TypedArray>): Bm25Data {
  const ids = new IdTable(a.ids as Uint8Array, a.idOffsets as Uint32Array, a.idOrder as Uint32Array);
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

/**
 * Each array whose bytes disagree with the manifest's sha256, as the message loading throws; `sha256` hashes bytes
 * to hex (WebCrypto's digest in a browser). Arrays without a recorded sha256 are skipped.
 */
export async function bm25ChecksumProblems(
  manifest: Bm25Manifest,
  buffers: Record<Bm25FileKey, Uint8Array>,
  sha256: (bytes: Uint8Array) => Promise<string>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const key of BM25_FILE_KEYS) {
    const spec = manifest.files[key];
    if (spec?.sha256 === undefined || !buffers[key]) continue;
    const actual = await sha256(buffers[key]);
    if (actual !== spec.sha256) problems.push(checksumMismatch(spec, actual));
  }
  return problems;
}
