import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPassages } from '@kard/knowledge-base';
import { OutputExistsError, writeDirAtomic } from '@kard/core';
import { Bm25Index } from './bm25-index';
import { BM25_INDEX_VERSION, readBm25Manifest } from './bm25-storage';
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
