import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { readPassages } from '@kard/knowledge-base';
import { OutputExistsError, writeDirAtomic } from '@kard/core';
import { Bm25Index } from './bm25-index';
import { BM25_INDEX_VERSION, checkBm25Index, readBm25Manifest } from './bm25-storage';
import { IndexFormatError } from './errors';

const DATASETS = path.resolve(__dirname, '../../../../datasets');

describe('Bm25Index save/load', () => {
  let tmp: string;
  let index: Bm25Index;
  let questions: string[];
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bm25-storage-'));
    index = await Bm25Index.build(readPassages(path.join(DATASETS, 'wikipedia/hotpotqa_paragraphs.jsonl')), {
      k1: 1.2,
      b: 0.75,
      stopwords: 'none',
      corpus: [{ path: 'hotpotqa_paragraphs.jsonl', bytes: 1, sha256: 'x' }],
    });
    questions = (
      JSON.parse(fs.readFileSync(path.join(DATASETS, 'strategyqa/dev.json'), 'utf8')) as { question: string }[]
    ).map((q) => q.question);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads back an index that answers every query with the same hits and scores', async () => {
    const dir = path.join(tmp, 'idx');
    await index.save(dir);
    const loaded = Bm25Index.load(dir);
    expect(loaded.params).toEqual({ k1: 1.2, b: 0.75 });
    expect(loaded.analyzer.settings).toEqual({ stemmer: 'porter', stopwords: 'none' });
    expect(loaded.size).toBe(4858);
    for (const q of questions) expect(loaded.search(q, 20)).toEqual(index.search(q, 20));
    const ids = [index.idAt(0), index.idAt(4857), index.idAt(1234)];
    expect(loaded.scoreDocuments(questions[0], ids)).toEqual(index.scoreDocuments(questions[0], ids));
  });

  it('writes a manifest with version, parameters, counts, analyzer and corpus files', async () => {
    const dir = path.join(tmp, 'manifest');
    await index.save(dir);
    const m = readBm25Manifest(dir);
    expect(m.version).toBe(BM25_INDEX_VERSION);
    expect(m.params).toEqual({ k1: 1.2, b: 0.75 });
    expect(m.analyzer).toMatchObject({ stemmer: 'porter', stopwords: 'none' });
    expect(m.counts.documents).toBe(4858);
    expect(m.counts.terms).toBe(index.termCount);
    expect(m.corpus).toEqual([{ path: 'hotpotqa_paragraphs.jsonl', bytes: 1, sha256: 'x' }]);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('replaces an earlier index folder whole', async () => {
    const dir = path.join(tmp, 'replace');
    await index.save(dir);
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
    await index.save(dir);
    expect(fs.existsSync(path.join(dir, 'stale.txt'))).toBe(false);
    expect(Bm25Index.load(dir).size).toBe(4858);
  });

  it('refuses to replace a file or a folder that is not an index, unless overwrite', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'keep');
    await expect(index.save(file)).rejects.toThrow(OutputExistsError);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep');
    const dir = path.join(tmp, 'notes');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'important.txt'), 'keep');
    await expect(index.save(dir)).rejects.toThrow(
      `${dir} exists and is not a BM25 index written by KARD-TS (no manifest.json); refusing to replace it.`,
    );
    expect(fs.readdirSync(dir)).toEqual(['important.txt']);
    await index.save(dir, { overwrite: true });
    expect(Bm25Index.load(dir).size).toBe(4858);
  });

  it('refuses a folder from another version, a missing or truncated file, and a non-index folder', async () => {
    const dir = path.join(tmp, 'broken');
    await index.save(dir);
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 99 }));
    expect(() => Bm25Index.load(dir)).toThrow(/version 99.*rebuild/);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    fs.truncateSync(path.join(dir, 'posting-docs.u32'), 8);
    expect(() => Bm25Index.load(dir)).toThrow(/posting-docs.u32 has 8 bytes/);
    fs.rmSync(path.join(dir, 'posting-docs.u32'));
    expect(() => Bm25Index.load(dir)).toThrow(/posting-docs.u32 is missing/);
    fs.rmSync(manifestFile);
    expect(() => Bm25Index.load(dir)).toThrow(IndexFormatError);
    expect(() => Bm25Index.load(path.join(tmp, 'nowhere'))).toThrow(/no such folder/);
  });

  it('refuses a version 1 index (sha256 checksums, no crc32) with a rebuild message', async () => {
    const dir = path.join(tmp, 'v1');
    await index.save(dir);
    const f = path.join(dir, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(f, 'utf8'));
    for (const spec of Object.values(m.files) as { crc32?: string; sha256?: string }[]) {
      delete spec.crc32;
      spec.sha256 = '0'.repeat(64);
    }
    fs.writeFileSync(f, JSON.stringify({ ...m, version: 1 }));
    expect(() => Bm25Index.load(dir)).toThrow(
      `index ${dir}: written by index format version 1; this @kard/retriever reads version 2: rebuild the index`,
    );
  });

  it('loads into SharedArrayBuffers with shared: true, with the same results', async () => {
    const dir = path.join(tmp, 'shared');
    await index.save(dir);
    const loaded = Bm25Index.load(dir, { shared: true });
    const { data, arrays } = loaded;
    const typed = [data.docLengths, data.termOffsets, data.postingDocs, data.postingTfs, data.ids.bytes];
    typed.push(data.ids.offsets, data.ids.sortedRows, data.ids.rank, ...Object.values(arrays));
    for (const a of typed) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const q of questions.slice(0, 50)) expect(loaded.search(q, 20)).toEqual(index.search(q, 20));
  });

  describe('same-size corruption', () => {
    const crcOf = (file: string) => crc32(fs.readFileSync(file)).toString(16).padStart(8, '0');
    /** A fresh copy of the saved index with `edit` applied to one file's bytes in place (same size). */
    const corrupt = async (name: string, file: string, edit: (bytes: Buffer) => void, fixChecksum = false) => {
      const dir = path.join(tmp, name);
      await index.save(dir);
      const bytes = fs.readFileSync(path.join(dir, file));
      edit(bytes);
      fs.writeFileSync(path.join(dir, file), bytes);
      if (fixChecksum) recordChecksums(dir);
      return dir;
    };
    /** The manifest made to agree with the files, as a faulty writer would leave it. */
    const recordChecksums = (dir: string) => {
      const f = path.join(dir, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(f, 'utf8'));
      for (const spec of Object.values(m.files) as { file: string; crc32: string }[])
        spec.crc32 = crcOf(path.join(dir, spec.file));
      fs.writeFileSync(f, JSON.stringify(m));
    };
    const u32 = (b: Buffer) => new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
    const u16 = (b: Buffer) => new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
    const outOfRange = (b: Buffer) => u32(b).fill(4_000_000_000, 0, 1000);
    const zeroEveryOtherTf = (b: Buffer) => {
      const tfs = u16(b);
      for (let i = 0; i < tfs.length; i += 2) tfs[i] = 0;
    };

    it('records the crc32 of every array file in the manifest (zlib crc32 of the bytes)', async () => {
      const dir = path.join(tmp, 'checksums');
      await index.save(dir);
      const m = readBm25Manifest(dir);
      expect(Object.keys(m.files)).toHaveLength(8);
      for (const spec of Object.values(m.files)) expect(spec.crc32).toBe(crcOf(path.join(dir, spec.file)));
    });

    it('refuses a file with one flipped byte, or truncated, naming it', async () => {
      const docs = await corrupt('bad-docs', 'posting-docs.u32', (b) => void (b[b.length >> 1] ^= 0x10));
      expect(() => Bm25Index.load(docs)).toThrow(
        new RegExp(`posting-docs.u32 is corrupt: its crc32 is ${crcOf(path.join(docs, 'posting-docs.u32'))}`),
      );
      const tfs = await corrupt('bad-tfs', 'posting-tfs.u16', zeroEveryOtherTf);
      expect(() => Bm25Index.load(tfs)).toThrow(/posting-tfs.u16 is corrupt: its crc32/);
      const lengths = await corrupt('bad-lengths', 'doc-lengths.u32', (b) => void (b[0] ^= 1));
      expect(() => Bm25Index.load(lengths)).toThrow(/doc-lengths.u32 is corrupt: its crc32/);
      const terms = await corrupt('bad-terms', 'terms.utf8', (b) => void (b[3] ^= 0x20));
      expect(() => Bm25Index.load(terms)).toThrow(/terms.utf8 is corrupt: its crc32/);
      const cut = path.join(tmp, 'cut');
      await index.save(cut);
      const size = fs.statSync(path.join(cut, 'id-offsets.u32')).size;
      fs.truncateSync(path.join(cut, 'id-offsets.u32'), size - 3);
      expect(() => Bm25Index.load(cut, { shared: true })).toThrow(
        `index ${cut}: id-offsets.u32 has ${size - 3} bytes, the manifest says ${size}`,
      );
    });

    it('with checksums that agree (a faulty writer) still refuses rows out of range, zero frequencies, wrong lengths', async () => {
      const ids = await corrupt('w-ids', 'posting-docs.u32', outOfRange, true);
      expect(() => Bm25Index.load(ids)).toThrow(
        /posting-docs.u32 is corrupt: posting 0 \(term ".*"\) names row 4000000000; the index has 4858 documents/,
      );
      const tfs = await corrupt('w-tfs', 'posting-tfs.u16', zeroEveryOtherTf, true);
      expect(() => Bm25Index.load(tfs)).toThrow(/posting-tfs.u16 is corrupt: posting 0 .* has term frequency 0/);
      const lengths = await corrupt('w-lengths', 'doc-lengths.u32', (b) => void (u32(b)[7] += 1), true);
      expect(() => Bm25Index.load(lengths)).toThrow(
        new RegExp(`doc-lengths.u32 is corrupt: document ${index.idAt(7)} has length ${index.data.docLengths[7] + 1}`),
      );
      // lengths moved between two documents: the total stays, the per-document check (a weighted checksum) fails
      const swapped = await corrupt(
        'w-swap',
        'doc-lengths.u32',
        (b) => void ((u32(b)[3] += 2), (u32(b)[11] -= 2)),
        true,
      );
      expect(() => Bm25Index.load(swapped)).toThrow(
        new RegExp(`doc-lengths.u32 is corrupt: document ${index.idAt(3)} has length ${index.data.docLengths[3] + 2}`),
      );
      const order = await corrupt('w-order', 'id-order.u32', (b) => void (u32(b)[1] = u32(b)[0]), true);
      expect(() => Bm25Index.load(order)).toThrow(/id-order.u32 is corrupt: row \d+ appears twice/);
    });

    it('check lists every mismatching file and passes a sound index', async () => {
      const dir = await corrupt('two-bad', 'posting-docs.u32', outOfRange);
      const tfFile = path.join(dir, 'posting-tfs.u16');
      const tfBytes = fs.readFileSync(tfFile);
      zeroEveryOtherTf(tfBytes);
      fs.writeFileSync(tfFile, tfBytes);
      const report = checkBm25Index(dir);
      expect(report.files.filter((f) => f.checksum === 'mismatch').map((f) => f.file)).toEqual([
        'posting-docs.u32',
        'posting-tfs.u16',
      ]);
      expect(report.problems).toEqual([
        expect.stringMatching(/^posting-docs.u32 is corrupt: its crc32/),
        expect.stringMatching(/^posting-tfs.u16 is corrupt: its crc32/),
        expect.stringMatching(/^posting-docs.u32 is corrupt: posting 0 .* names row 4000000000/),
      ]);
      const sound = path.join(tmp, 'sound');
      await index.save(sound);
      const ok = checkBm25Index(sound);
      expect(ok.problems).toEqual([]);
      expect(ok.files.map((f) => f.checksum)).toEqual(Array(8).fill('ok'));
    });
  });

  it('leaves nothing behind when a write fails', async () => {
    const dir = path.join(tmp, 'failed');
    await expect(
      writeDirAtomic(dir, (t) => {
        fs.writeFileSync(path.join(t, 'part'), 'x');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('failed'))).toEqual([]);
  });
});
