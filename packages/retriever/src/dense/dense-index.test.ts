import './test-support/single-thread';
import { DenseIndex } from './dense-index';
import { DimensionMismatchError } from './errors';
import { bruteForceTopK, HashingEmbedder, randomVectors, unitRows } from './test-support/hashing-embedder';

const dim = 32;
const n = 3000;
const nq = 40;
const base = randomVectors(n, dim, 7);
const queries = randomVectors(nq, dim, 8);
const ids = Array.from({ length: n }, (_, i) => `doc${i}`);
const row = (m: Float32Array, i: number) => m.subarray(i * dim, (i + 1) * dim);

/**
 * faiss scores in float32 (BLAS for batches), the reference in float64: scores agree to 1e-5 relative, and ids
 * agree except where two reference scores are closer than that (then either order is right).
 */
function expectSameRanking(got: { id: string; score: number; rank: number }[], want: { row: number; score: number }[]) {
  expect(got.map((h) => h.rank)).toEqual(want.map((_, i) => i + 1));
  expect(got).toHaveLength(want.length);
  want.forEach((w, i) => {
    const tol = 1e-5 * Math.max(1, Math.abs(w.score));
    expect(Math.abs(got[i].score - w.score)).toBeLessThanOrEqual(tol);
    if (got[i].id !== ids[w.row]) {
      const other = want.find((x) => ids[x.row] === got[i].id);
      expect(other).toBeDefined();
      expect(Math.abs(other!.score - w.score)).toBeLessThanOrEqual(2 * tol);
    }
  });
}

describe('DenseIndex (flat)', () => {
  const k = 10;

  test('inner product: equal to brute force on seeded random vectors, batched and one by one', async () => {
    const index = new DenseIndex({ dim });
    index.add(ids, base);
    expect(index.size).toBe(n);
    const batch = index.searchVectors(queries, k);
    for (let q = 0; q < nq; q++) {
      const want = bruteForceTopK(base, row(queries, q), dim, k);
      expectSameRanking(batch[q], want);
      expect(batch[q].map((h) => h.id)).toEqual(want.map((w) => ids[w.row])); // no near-ties with this seed
    }
    const single = await index.search(Array.from(row(queries, 3)), k);
    expectSameRanking(single, bruteForceTopK(base, row(queries, 3), dim, k));
  });

  test('cosine: scores are cosines of the raw vectors (both sides normalised)', async () => {
    // Scale rows very differently: inner product would favour long rows, cosine must not.
    const scaled = base.map((v, i) => v * (1 + (Math.floor(i / dim) % 7) * 10));
    const index = new DenseIndex({ dim, metric: 'cosine' });
    const vectors = Array.from({ length: n }, (_, i) => scaled.subarray(i * dim, (i + 1) * dim));
    index.add(ids, vectors);
    const unitBase = unitRows(scaled, dim);
    const unitQueries = unitRows(queries, dim);
    const got = await index.searchBatch(
      Array.from({ length: nq }, (_, q) => row(queries, q).map((x) => x * 3)),
      k,
    );
    for (let q = 0; q < nq; q++) {
      const want = bruteForceTopK(unitBase, row(unitQueries, q), dim, k);
      expectSameRanking(got[q], want);
      for (const h of got[q]) expect(h.score).toBeLessThanOrEqual(1 + 1e-5);
    }
  });

  test('add in several calls keeps ids aligned with rows; k larger than the index returns all', () => {
    const index = new DenseIndex({ dim: 2 });
    index.add(
      ['a', 'b'],
      [
        [1, 0],
        [0, 1],
      ],
    );
    index.add(['c'], new Float32Array([0.6, 0.8]));
    expect(index.searchVectors([[0, 2]], 10)[0]).toEqual([
      { id: 'b', score: 2, rank: 1 },
      { id: 'c', score: expect.closeTo(1.6, 6), rank: 2 },
      { id: 'a', score: 0, rank: 3 },
    ]);
    expect(new DenseIndex({ dim: 2 }).searchVectors([[1, 1]], 5)).toEqual([[]]);
  });

  test('text queries go through the embedder; it is a Retriever', async () => {
    const embedder = new HashingEmbedder(64);
    const index = new DenseIndex({ dim: 64, metric: 'cosine', embedder });
    await index.addPassages(
      [
        { id: 'p1', title: 'Hamlet', text: 'a tragedy written by William Shakespeare' },
        { id: 'p2', text: 'the Eiffel tower stands in Paris' },
        { id: 'p3', text: 'photosynthesis converts light into chemical energy' },
      ],
      { batchSize: 2 },
    );
    expect(embedder.calls).toBe(2);
    const [hamlet, paris] = await index.searchBatch(['who wrote hamlet shakespeare', 'tower in paris'], 2);
    expect(hamlet[0].id).toBe('p1');
    expect(paris[0].id).toBe('p2');
    // The reference score: cosine of the two hashing vectors, computed here.
    const [qv, pv] = await embedder.embed(['tower in paris', 'the Eiffel tower stands in Paris']);
    const dot = qv.reduce((s, x, i) => s + x * pv[i], 0);
    const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    expect(paris[0].score).toBeCloseTo(dot / (norm(qv) * norm(pv)), 5);
  });

  test('bad input: wrong dimensions, duplicate or bad ids, text query without embedder', async () => {
    const index = new DenseIndex({ dim: 3 });
    expect(() => index.add(['a'], [[1, 2]])).toThrow(DimensionMismatchError);
    expect(() => index.add(['a'], [[1, 2]])).toThrow(
      'vector 0 (id "a"): vector has dimension 2, the index has dimension 3',
    );
    expect(() => index.add(['a', 'b'], new Float32Array(5))).toThrow(DimensionMismatchError);
    expect(() =>
      index.add(
        ['a', 'a'],
        [
          [1, 2, 3],
          [1, 2, 3],
        ],
      ),
    ).toThrow('duplicate docid "a"');
    expect(() => index.add(['x\ny'], [[1, 2, 3]])).toThrow(/line breaks/);
    expect(index.size).toBe(0); // nothing half-added
    index.add(['a'], [[1, 2, 3]]);
    expect(() => index.add(['a'], [[1, 2, 3]])).toThrow('duplicate docid "a"');
    expect(() => index.searchVectors([[1, 2, 3, 4]], 1)).toThrow('query 0: vector has dimension 4');
    await expect(index.search('text', 1)).rejects.toThrow(/need an embedder/);
    expect(() => new DenseIndex({ dim: 3, embedder: new HashingEmbedder(4) })).toThrow(DimensionMismatchError);
  });
});
