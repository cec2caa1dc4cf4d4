import './test-support/single-thread';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndexFormatError } from '../sparse/errors';
import { DenseIndex } from './dense-index';
import { randomVectors } from './test-support/hashing-embedder';

const dim = 16;
const n = 1500;
const base = randomVectors(n, dim, 21);
const queries = randomVectors(20, dim, 22);
const ids = Array.from({ length: n }, (_, i) => `p-${i}`);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kard-dense-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('DenseIndex save/load', () => {
  test.each([
    ['flat', { type: 'flat' as const, metric: 'ip' as const, hnsw: undefined }],
    ['hnsw', { type: 'hnsw' as const, metric: 'cosine' as const, hnsw: { m: 8, efConstruction: 32, efSearch: 48 } }],
  ])('%s: identical hits after a round trip, manifest records the settings', async (name, options) => {
    const index = new DenseIndex({ dim, ...options });
    index.add(ids, base);
    const before = index.searchVectors(queries, 10);
    const dir = join(root, name);
    await index.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['ids.txt', 'index.faiss', 'manifest.json']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect({ hnsw: undefined, ...manifest }).toMatchObject({
      format: 'kard-dense-index',
      version: 1,
      dim,
      size: n,
      ...options,
    });

    const loaded = DenseIndex.load(dir);
    expect([loaded.size, loaded.dim, loaded.metric, loaded.type, loaded.efSearch]).toEqual([
      n,
      dim,
      options.metric,
      options.type,
      options.hnsw?.efSearch,
    ]);
    expect(loaded.searchVectors(queries, 10)).toEqual(before);
    // Still usable: adding after load keeps ids aligned (the new vector is its own best match).
    loaded.add(['new'], [Array.from(queries.subarray(0, dim), (x) => x * 100)]);
    expect(loaded.searchVectors([queries.subarray(0, dim)], 1)[0][0].id).toBe('new');
  });

  test('load can override efSearch; saving over an existing folder replaces it whole', async () => {
    const index = new DenseIndex({ dim, type: 'hnsw', hnsw: { m: 8, efSearch: 20 } });
    index.add(ids.slice(0, 300), base.subarray(0, 300 * dim));
    const dir = join(root, 'over');
    await index.save(dir);
    expect(DenseIndex.load(dir, { efSearch: 99 }).efSearch).toBe(99);
    writeFileSync(join(dir, 'stale.txt'), 'from before');
    const flat = new DenseIndex({ dim });
    flat.add(['only'], [Array.from(base.subarray(0, dim))]);
    await flat.save(dir);
    expect(existsSync(join(dir, 'stale.txt'))).toBe(false);
    expect(DenseIndex.load(dir).size).toBe(1);
    expect(readdirSync(root).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
  });

  test('a failed save leaves no folder and no temp files', async () => {
    const index = new DenseIndex({ dim });
    index.add(['a'], [Array.from(base.subarray(0, dim))]);
    // A faiss write that dies half-way, after creating its file.
    (index as unknown as { faiss: { write(f: string): void } }).faiss = {
      write: (f: string) => {
        writeFileSync(f, 'partial');
        throw new Error('disk full');
      },
    };
    const dir = join(root, 'failed');
    await expect(index.save(dir)).rejects.toThrow('disk full');
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('failed'))).toEqual([]);
  });

  test('clear errors: missing folder or files, another version, corrupt index, ids/size mismatch', async () => {
    const good = join(root, 'good');
    const index = new DenseIndex({ dim });
    index.add(ids.slice(0, 5), base.subarray(0, 5 * dim));
    await index.save(good);
    const broken = (name: string, change: (dir: string) => void) => {
      const dir = join(root, name);
      rmSync(dir, { recursive: true, force: true });
      cpSync(good, dir, { recursive: true });
      change(dir);
      return dir;
    };
    const editManifest = (dir: string, edit: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      edit(m);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    };
    const cases: [string, RegExp][] = [
      [join(root, 'does-not-exist'), /folder not found/],
      [broken('no-manifest', (d) => rmSync(join(d, 'manifest.json'))), /missing manifest.json/],
      [broken('v2', (d) => editManifest(d, (m) => (m.version = 2))), /format version 2, this build reads version 1/],
      [broken('bm25', (d) => editManifest(d, (m) => (m.format = 'kard-bm25'))), /has format "kard-bm25"/],
      [broken('no-index', (d) => rmSync(join(d, 'index.faiss'))), /missing index.faiss/],
      [broken('no-ids', (d) => rmSync(join(d, 'ids.txt'))), /missing ids.txt/],
      [
        broken('corrupt', (d) => writeFileSync(join(d, 'index.faiss'), 'garbage')),
        /index.faiss is not a readable faiss index/,
      ],
      [
        broken('short-ids', (d) => writeFileSync(join(d, 'ids.txt'), 'a\nb\n')),
        /ids.txt has 2 ids, the manifest says 5/,
      ],
      [
        broken('wrong-dim', (d) => editManifest(d, (m) => (m.dim = 8))),
        /holds 5 vectors of dimension 16, the manifest says 5 of dimension 8/,
      ],
    ];
    for (const [dir, message] of cases) {
      expect(() => DenseIndex.load(dir)).toThrow(IndexFormatError);
      expect(() => DenseIndex.load(dir)).toThrow(message);
    }
  });
});
