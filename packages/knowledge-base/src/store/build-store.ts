import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuplicatePassageIdError, PassageStoreError } from '../errors';
import type { Passage } from '../passage';
import { createProgress, GrowableBigUint64Array, type ProgressOption, writeDirAtomic } from '@kard/core';
import { FileWriter } from './file-writer';
import { equalHashRuns, hashId, packEntry } from './id-table';
import {
  assertLittleEndian,
  DATA_FILE,
  IDS_FILE,
  MANIFEST_FILE,
  OFFSETS_FILE,
  STORE_FORMAT,
  STORE_VERSION,
  type StoreManifest,
} from './layout';

export interface BuildStoreOptions extends ProgressOption {
  /**
   * Replace whatever is at `dir` (default false: only an empty folder or a passage store is replaced; anything
   * else is an OutputExistsError).
   */
  overwrite?: boolean;
  /** Expected number of passages, for a progress bar with an ETA. */
  total?: number;
  /** What the store was built from, recorded in manifest.json. */
  source?: string;
}

/** What a store folder is, for writeDirAtomic's ownership check: its manifest.json with the store format. */
export const STORE_OWNER = { kind: 'passage store', manifest: MANIFEST_FILE, format: STORE_FORMAT } as const;

/**
 * Streams passages into a new store folder. Memory holds 8 bytes per passage (the id table) and a 4 MiB write
 * buffer, never passage text. Everything is written into a sibling temp folder that is renamed into place only
 * when complete, so `dir` is either the old store, the new one, or absent.
 */
export async function writeStore(
  source: AsyncIterable<Passage> | Iterable<Passage>,
  dir: string,
  options: BuildStoreOptions = {},
): Promise<StoreManifest> {
  assertLittleEndian();
  let manifest: StoreManifest | undefined;
  await writeDirAtomic(
    dir,
    async (tmp) => {
      manifest = await writeFiles(source, tmp, dir, options);
    },
    { ...STORE_OWNER, overwrite: options.overwrite },
  );
  return manifest!;
}

async function writeFiles(
  source: AsyncIterable<Passage> | Iterable<Passage>,
  tmp: string,
  dir: string,
  options: BuildStoreOptions,
): Promise<StoreManifest> {
  const data = new FileWriter(path.join(tmp, DATA_FILE));
  const offsets = new FileWriter(path.join(tmp, OFFSETS_FILE));
  const ids = new GrowableBigUint64Array();
  const offset = new BigUint64Array(1);
  const offsetBytes = new Uint8Array(offset.buffer);
  const progress = createProgress({ label: 'store', total: options.total, unit: 'passages', show: options.progress });
  let row = 0;
  try {
    for await (const p of source as AsyncIterable<Passage>) {
      offset[0] = BigInt(data.bytes);
      offsets.writeBytes(offsetBytes);
      data.writeString(encodeRecord(p, row) + '\n');
      ids.push(packEntry(hashId(p.id), row));
      row++;
      if ((row & 1023) === 0) progress.update(row);
    }
    progress.update(row);
  } finally {
    progress.stop();
    offset[0] = BigInt(data.bytes);
    offsets.writeBytes(offsetBytes);
    data.close();
    offsets.close();
  }
  if (row === 0) throw new PassageStoreError(dir, 'the source yielded no passages');

  const table = ids.view().sort();
  checkDuplicates(new Uint32Array(table.buffer, table.byteOffset, table.length * 2), tmp);
  writeFileSync(path.join(tmp, IDS_FILE), new Uint8Array(table.buffer, table.byteOffset, table.byteLength));

  const manifest: StoreManifest = {
    format: STORE_FORMAT,
    version: STORE_VERSION,
    size: row,
    files: { [DATA_FILE]: data.bytes, [OFFSETS_FILE]: offsets.bytes, [IDS_FILE]: table.byteLength },
    idHash: 'fnv1a32-utf16',
    createdAt: new Date().toISOString(),
    ...(options.source !== undefined ? { source: options.source } : {}),
  };
  writeFileSync(path.join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The stored record: exactly the Passage fields, so the data file reads back as plain JSONL. */
function encodeRecord(p: Passage, row: number): string {
  if (p === null || typeof p !== 'object') throw new TypeError(`passage at row ${row} is not an object`);
  if (typeof p.id !== 'string' || p.id === '') throw new TypeError(`passage at row ${row} has no string id`);
  if (typeof p.text !== 'string')
    throw new TypeError(`passage ${JSON.stringify(p.id)} (row ${row}) has no string text`);
  if (p.title !== undefined && typeof p.title !== 'string')
    throw new TypeError(`passage ${JSON.stringify(p.id)} has a non-string title`);
  if (p.contents !== undefined && typeof p.contents !== 'string')
    throw new TypeError(`passage ${JSON.stringify(p.id)} has non-string contents`);
  return JSON.stringify({ id: p.id, title: p.title, text: p.text, contents: p.contents });
}

/** Equal ids have equal hashes, so only runs of equal hashes need their ids read back and compared. */
function checkDuplicates(words: Uint32Array, tmp: string): void {
  const offsets = path.join(tmp, OFFSETS_FILE);
  const dataFd = openSync(path.join(tmp, DATA_FILE), 'r');
  const offFd = openSync(offsets, 'r');
  const pair = new BigUint64Array(2);
  const pairBytes = new Uint8Array(pair.buffer);
  const idAt = (row: number): string => {
    readSync(offFd, pairBytes, 0, 16, row * 8);
    const len = Number(pair[1] - pair[0]);
    const buf = Buffer.allocUnsafe(len);
    readSync(dataFd, buf, 0, len, Number(pair[0]));
    return (JSON.parse(buf.toString('utf8')) as Passage).id;
  };
  try {
    for (const [start, end] of equalHashRuns(words)) {
      const seen = new Map<string, number>();
      for (let i = start; i < end; i++) {
        const row = words[2 * i];
        const id = idAt(row);
        const first = seen.get(id);
        if (first !== undefined) throw new DuplicatePassageIdError(id, [Math.min(first, row), Math.max(first, row)]);
        seen.set(id, row);
      }
    }
  } finally {
    closeSync(dataFd);
    closeSync(offFd);
  }
}
