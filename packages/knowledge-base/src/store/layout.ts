import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import { PassageStoreError } from '../errors';

/** Bumped whenever the folder layout changes; a store from another version is refused, never misread. */
export const STORE_VERSION = 1;
export const STORE_FORMAT = 'kard-passage-store';

/** One JSON record per line, in row order: the data file is itself a plain `{id, title, text}` JSONL corpus. */
export const DATA_FILE = 'passages.jsonl';
/** size + 1 little-endian uint64 byte offsets into the data file; record r is [off[r], off[r+1]). */
export const OFFSETS_FILE = 'offsets.u64';
/** size little-endian uint64 entries `hash32(id) << 32 | row`, sorted (see id-table.ts). */
export const IDS_FILE = 'ids.u64';
export const MANIFEST_FILE = 'manifest.json';

export interface StoreManifest {
  format: typeof STORE_FORMAT;
  version: number;
  /** Number of passages. */
  size: number;
  /** Byte size of each file in the folder, checked on open. */
  files: Record<string, number>;
  idHash: 'fnv1a32-utf16';
  createdAt: string;
  /** Free-form description of what the store was built from (file names, builder options). */
  source?: string;
}

export function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('passage stores are little-endian files; this machine is big-endian');
}

export function readManifest(dir: string): StoreManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    let reason = `not a passage store (no ${MANIFEST_FILE})`;
    try {
      if (!statSync(dir).isDirectory()) reason = 'not a directory';
    } catch {
      reason = 'folder not found';
    }
    throw new PassageStoreError(
      dir,
      code === 'ENOENT' || code === 'ENOTDIR' ? reason : `cannot read ${MANIFEST_FILE}`,
      { cause: err },
    );
  }
  let m: Partial<StoreManifest>;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new PassageStoreError(dir, `${MANIFEST_FILE} is corrupt (${(err as Error).message})`, { cause: err });
  }
  if (m?.format !== STORE_FORMAT)
    throw new PassageStoreError(dir, `not a passage store (${MANIFEST_FILE} format is ${JSON.stringify(m?.format)})`);
  if (m.version !== STORE_VERSION) {
    throw new PassageStoreError(
      dir,
      `written by store version ${m.version}, this library reads version ${STORE_VERSION}; rebuild it (kard-kb build)`,
    );
  }
  if (!Number.isInteger(m.size) || m.size! < 0 || typeof m.files !== 'object' || m.files === null) {
    throw new PassageStoreError(dir, `${MANIFEST_FILE} is corrupt (bad size or files)`);
  }
  const manifest = m as StoreManifest;
  const expected: Record<string, number> = { [OFFSETS_FILE]: (manifest.size + 1) * 8, [IDS_FILE]: manifest.size * 8 };
  for (const name of [DATA_FILE, OFFSETS_FILE, IDS_FILE]) {
    const want = manifest.files[name];
    if (want === undefined) throw new PassageStoreError(dir, `${MANIFEST_FILE} does not list ${name}`);
    if (expected[name] !== undefined && expected[name] !== want) {
      throw new PassageStoreError(
        dir,
        `${MANIFEST_FILE} is corrupt (${name} should be ${expected[name]} bytes for ${manifest.size} passages)`,
      );
    }
    let have: number;
    try {
      have = statSync(path.join(dir, name)).size;
    } catch (err) {
      throw new PassageStoreError(dir, `${name} is missing`, { cause: err });
    }
    if (have !== want)
      throw new PassageStoreError(dir, `${name} is ${have} bytes, the manifest says ${want} (truncated or corrupt)`);
  }
  return manifest;
}

/** Reads a whole file into `target` (an aligned typed array, unlike a pooled Buffer), in chunks below 2 GiB. */
export function readInto(file: string, target: ArrayBufferView): void {
  const bytes = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), done);
      if (n === 0) throw new Error(`${file}: unexpected end of file`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}
