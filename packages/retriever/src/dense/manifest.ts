import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IndexFormatError } from '../sparse/errors';

export const DENSE_FORMAT = 'kard-dense-index';
/** What a saved dense index folder is, for writeDirAtomic's ownership check. */
export const DENSE_INDEX_OWNER = { kind: 'dense index', manifest: 'manifest.json', format: DENSE_FORMAT } as const;
/** Bumped whenever the folder layout or the meaning of a field changes; load refuses other versions. */
export const DENSE_FORMAT_VERSION = 1;

export const INDEX_FILE = 'index.faiss';
export const IDS_FILE = 'ids.txt';
export const MANIFEST_FILE = 'manifest.json';

/** What `manifest.json` of a saved DenseIndex holds. */
export interface DenseManifest {
  format: typeof DENSE_FORMAT;
  version: number;
  type: 'flat' | 'hnsw';
  metric: 'ip' | 'cosine';
  dim: number;
  size: number;
  hnsw?: { m: number; efConstruction: number; efSearch: number };
  files: { index: string; ids: string };
}

/** Reads and checks a manifest; every problem is an IndexFormatError naming the folder. */
export function readDenseManifest(dir: string): DenseManifest {
  if (!existsSync(dir)) throw new IndexFormatError(dir, 'folder not found');
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new IndexFormatError(dir, `missing ${MANIFEST_FILE} (not a dense index folder)`);
  let m: Partial<DenseManifest>;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new IndexFormatError(dir, `${MANIFEST_FILE} is not valid JSON`, { cause: err });
  }
  if (m.format !== DENSE_FORMAT) {
    throw new IndexFormatError(dir, `${MANIFEST_FILE} has format ${JSON.stringify(m.format)}, not "${DENSE_FORMAT}"`);
  }
  if (m.version !== DENSE_FORMAT_VERSION) {
    throw new IndexFormatError(
      dir,
      `written by dense index format version ${m.version}, this build reads version ${DENSE_FORMAT_VERSION}; rebuild ` +
        `the index`,
    );
  }
  const valid =
    (m.type === 'flat' || m.type === 'hnsw') &&
    (m.metric === 'ip' || m.metric === 'cosine') &&
    Number.isInteger(m.dim) &&
    Number.isInteger(m.size) &&
    typeof m.files?.index === 'string' &&
    typeof m.files?.ids === 'string';
  if (!valid) throw new IndexFormatError(dir, `${MANIFEST_FILE} is missing fields or has wrong types`);
  for (const f of [m.files!.index, m.files!.ids]) {
    if (!existsSync(join(dir, f))) throw new IndexFormatError(dir, `missing ${f}`);
  }
  return m as DenseManifest;
}
