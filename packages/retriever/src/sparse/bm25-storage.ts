import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalyzerSettings } from '../analysis';
import { writeDirAtomic } from '@kard/core';
import type { Bm25Data, Bm25Params, CorpusFileInfo } from './bm25-data';
import { IndexFormatError } from './errors';
import { IdTable } from './id-table';
import { readTypedArray, writeTypedArray } from './typed-files';

export const BM25_INDEX_FORMAT = 'kard-bm25-index';
/** Bumped whenever the files or their meaning change; a folder of another version is refused. */
export const BM25_INDEX_VERSION = 1;

type ArrayType = 'uint8' | 'uint16' | 'uint32';

interface ArrayFile {
  file: string;
  type: ArrayType;
  length: number;
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
    files[key as keyof typeof arrays] = { file: a.file, type: a.type, length: a.data.length };
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
      `written by index format version ${manifest.version}; this @kard/retriever reads version ${BM25_INDEX_VERSION}: rebuild the index`,
    );
  }
  return manifest;
}

/** Reads the arrays saved by `saveBm25Data`, checking every file against the manifest. */
export function loadBm25Data(dir: string): Bm25Data {
  checkByteOrder(dir);
  const m = readBm25Manifest(dir);
  const read = <K extends keyof Bm25Manifest['files']>(key: K) => {
    const spec = m.files?.[key];
    if (!spec || !(spec.type in BYTES)) throw new IndexFormatError(dir, `manifest.json lacks the array ${key}`);
    const file = path.join(dir, spec.file);
    if (!fs.existsSync(file)) throw new IndexFormatError(dir, `${spec.file} is missing`);
    const expected = spec.length * BYTES[spec.type];
    const actual = fs.statSync(file).size;
    if (actual !== expected)
      throw new IndexFormatError(dir, `${spec.file} has ${actual} bytes, the manifest says ${expected}`);
    return readTypedArray(file, MAKE[spec.type] as (n: number) => Uint8Array | Uint16Array | Uint32Array, spec.length);
  };
  const ids = new IdTable(read('ids') as Uint8Array, read('idOffsets') as Uint32Array, read('idOrder') as Uint32Array);
  const termBytes = read('terms');
  const terms =
    m.counts.terms === 0
      ? []
      : Buffer.from(termBytes.buffer, termBytes.byteOffset, termBytes.byteLength).toString('utf8').split('\n');
  const docLengths = read('docLengths') as Uint32Array;
  const termOffsets = read('termOffsets') as Uint32Array;
  if (
    terms.length !== m.counts.terms ||
    termOffsets.length !== terms.length + 1 ||
    docLengths.length !== m.counts.documents ||
    ids.size !== docLengths.length
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
    postingDocs: read('postingDocs') as Uint32Array,
    postingTfs: read('postingTfs') as Uint16Array | Uint32Array,
    corpus: m.corpus ?? [],
  };
}

function checkByteOrder(dir: string): void {
  if (os.endianness() !== 'LE')
    throw new IndexFormatError(dir, 'index files are little-endian; this platform is big-endian');
}
