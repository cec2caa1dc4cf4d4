/**
 * @jest-environment ./src/dense/test-support/shared-typed-arrays-env.js
 */
import './test-support/single-thread';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DenseIndex } from './dense-index';
import { writeTinyBertFolder } from './test-support/tiny-bert';
import { TransformersEmbedder } from './transformers-embedder';

// A real transformers.js + onnxruntime run on a one-Gather ONNX "BERT" written by the test (see tiny-bert.ts).
const tokenizerDir = join(__dirname, '../../../../models/bert-uncased-tokenizer');
const hidden = 8;
let dir: string;
let table: Float32Array;
let vocab: Map<string, number>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kard-tiny-bert-'));
  table = writeTinyBertFolder(dir, tokenizerDir, hidden);
  vocab = new Map(
    readFileSync(join(tokenizerDir, 'vocab.txt'), 'utf8')
      .split('\n')
      .map((w, i) => [w, i]),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** WordPiece for texts whose lowercase words are all whole vocabulary entries: [CLS] words [SEP]. */
function tokenIds(text: string): number[] {
  const words = text.toLowerCase().split(/\s+/);
  for (const w of words) expect(vocab.has(w)).toBe(true);
  return [vocab.get('[CLS]')!, ...words.map((w) => vocab.get(w)!), vocab.get('[SEP]')!];
}

function reference(ids: number[], pooling: 'mean' | 'cls'): number[] {
  const rows = pooling === 'cls' ? ids.slice(0, 1) : ids;
  const v = Array.from(
    { length: hidden },
    (_, j) => rows.reduce((s, id) => s + table[id * hidden + j], 0) / rows.length,
  );
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

describe('TransformersEmbedder', () => {
  // Different lengths in one batch: the shorter one is padded, and padding must not enter the mean.
  const texts = ['hello world', 'the cat sat on the old mat', 'paris'];

  test('mean pooling + normalise equals the masked mean of embedding rows, per text in a padded batch', async () => {
    const embedder = await TransformersEmbedder.fromFolder(dir);
    expect(embedder.dim).toBe(hidden);
    const got = await embedder.embed(texts);
    expect(got).toHaveLength(3);
    got.forEach((v, i) => {
      const want = reference(tokenIds(texts[i]), 'mean');
      v.forEach((x, j) => expect(x).toBeCloseTo(want[j], 5));
    });
  });

  test('cls pooling takes the first token; batchSize splits the calls without changing results', async () => {
    const cls = await TransformersEmbedder.fromFolder(dir, { pooling: 'cls', batchSize: 2 });
    const want = reference([vocab.get('[CLS]')!], 'cls');
    for (const v of await cls.embed(texts)) v.forEach((x, j) => expect(x).toBeCloseTo(want[j], 5));
    const one = await TransformersEmbedder.fromFolder(dir, { batchSize: 1 });
    const all = await TransformersEmbedder.fromFolder(dir, { batchSize: 8 });
    const [a, b] = [await one.embed(texts), await all.embed(texts)];
    a.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(b[i][j], 6)));
  });

  test('drives a DenseIndex end to end: a passage is its own nearest neighbour', async () => {
    const embedder = await TransformersEmbedder.fromFolder(dir);
    const index = new DenseIndex({ dim: hidden, metric: 'cosine', embedder });
    await index.addPassages(texts.map((text, i) => ({ id: `p${i}`, text })));
    const hits = await index.searchBatch(texts, 1);
    expect(hits.map((h) => h[0].id)).toEqual(['p0', 'p1', 'p2']);
    hits.forEach((h) => expect(h[0].score).toBeCloseTo(1, 5));
  });

  test('a folder without a model is an error', async () => {
    await expect(TransformersEmbedder.fromFolder(join(dir, 'nope'))).rejects.toThrow();
  });
});
