import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

  describe('same-size corruption', () => {
    const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    /** A fresh copy of the saved index with `edit` applied to one file's bytes in place (same size). */
    const corrupt = async (name: string, file: string, edit: (bytes: Buffer) => void, keepChecksums = true) => {
      const dir = path.join(tmp, name);
      await index.save(dir);
      const bytes = fs.readFileSync(path.join(dir, file));
      edit(bytes);
      fs.writeFileSync(path.join(dir, file), bytes);
      if (!keepChecksums) stripChecksums(dir);
      return dir;
    };
    const stripChecksums = (dir: string) => {
      const f = path.join(dir, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(f, 'utf8'));
      for (const spec of Object.values(m.files) as { sha256?: string }[]) delete spec.sha256;
      fs.writeFileSync(f, JSON.stringify(m));
    };
    const u32 = (b: Buffer) => new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
    const u16 = (b: Buffer) => new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
    const outOfRange = (b: Buffer) => u32(b).fill(4_000_000_000, 0, 1000);
    const zeroEveryOtherTf = (b: Buffer) => {
      const tfs = u16(b);
      for (let i = 0; i < tfs.length; i += 2) tfs[i] = 0;
    };

    it('records the sha256 of every array file in the manifest', async () => {
      const dir = path.join(tmp, 'checksums');
      await index.save(dir);
      const m = readBm25Manifest(dir);
      expect(Object.keys(m.files)).toHaveLength(8);
      for (const spec of Object.values(m.files)) expect(spec.sha256).toBe(sha256(path.join(dir, spec.file)));
    });

    it('refuses a file whose bytes changed, naming it', async () => {
      const ids = await corrupt('bad-ids', 'posting-docs.u32', outOfRange);
      expect(() => Bm25Index.load(ids)).toThrow(
        new RegExp(`posting-docs.u32 is corrupt: its sha256 is ${sha256(path.join(ids, 'posting-docs.u32'))}`),
      );
      const tfs = await corrupt('bad-tfs', 'posting-tfs.u16', zeroEveryOtherTf);
      expect(() => Bm25Index.load(tfs)).toThrow(/posting-tfs.u16 is corrupt: its sha256/);
      const lengths = await corrupt('bad-lengths', 'doc-lengths.u32', (b) => void (b[0] ^= 1));
      expect(() => Bm25Index.load(lengths)).toThrow(/doc-lengths.u32 is corrupt: its sha256/);
    });

    it('without checksums (an older index) still refuses rows out of range, zero frequencies, wrong lengths', async () => {
      const warnings: string[] = [];
      const onWarning = (w: string) => void warnings.push(w);
      const ids = await corrupt('old-ids', 'posting-docs.u32', outOfRange, false);
      expect(() => Bm25Index.load(ids, { onWarning })).toThrow(
        /posting-docs.u32 is corrupt: posting 0 \(term ".*"\) names row 4000000000; the index has 4858 documents/,
      );
      const tfs = await corrupt('old-tfs', 'posting-tfs.u16', zeroEveryOtherTf, false);
      expect(() => Bm25Index.load(tfs, { onWarning })).toThrow(
        /posting-tfs.u16 is corrupt: posting 0 .* has term frequency 0/,
      );
      const lengths = await corrupt('old-lengths', 'doc-lengths.u32', (b) => void (u32(b)[7] += 1), false);
      expect(() => Bm25Index.load(lengths, { onWarning })).toThrow(
        new RegExp(`doc-lengths.u32 is corrupt: document ${index.idAt(7)} has length ${index.data.docLengths[7] + 1}`),
      );
      const order = await corrupt('old-order', 'id-order.u32', (b) => void (u32(b)[1] = u32(b)[0]), false);
      expect(() => Bm25Index.load(order, { onWarning })).toThrow(/id-order.u32 is corrupt: row \d+ appears twice/);
      expect(warnings).toHaveLength(4);
      expect(warnings[0]).toMatch(/has no checksums .* Rebuild it/);
    });

    it('loads a sound index without checksums with one warning and the same results', async () => {
      const dir = path.join(tmp, 'old-sound');
      await index.save(dir);
      stripChecksums(dir);
      const warnings: string[] = [];
      const loaded = Bm25Index.load(dir, { onWarning: (w) => void warnings.push(w) });
      expect(warnings).toEqual([
        `index ${dir} has no checksums (written before they were recorded), so only its structure was checked. Rebuild it with \`kard-retriever index\` to add them.`,
      ]);
      for (const q of questions.slice(0, 50)) expect(loaded.search(q, 20)).toEqual(index.search(q, 20));
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
        expect.stringMatching(/^posting-docs.u32 is corrupt: its sha256/),
        expect.stringMatching(/^posting-tfs.u16 is corrupt: its sha256/),
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
