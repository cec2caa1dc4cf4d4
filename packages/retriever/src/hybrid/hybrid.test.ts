import type { Hit, Retriever } from '../types';
import { normalizedScoreSum, reciprocalRankFusion } from './fusion';
import { HybridRetriever } from './hybrid-retriever';

const hits = (...pairs: [string, number][]): Hit[] => pairs.map(([id, score], i) => ({ id, score, rank: i + 1 }));
// Two rankings of four documents: a sparse one and a dense one.
const sparse = hits(['x', 10], ['y', 8], ['z', 2]);
const dense = hits(['y', 0.9], ['w', 0.5], ['x', 0.1]);
const summary = (list: Hit[]) => list.map((h) => [h.id, h.rank, h.score]);

describe('reciprocal rank fusion', () => {
  test('k = 60, equal weights: sum of 1 / (60 + rank)', () => {
    expect(summary(reciprocalRankFusion([sparse, dense]))).toEqual([
      ['y', 1, 1 / 62 + 1 / 61],
      ['x', 2, 1 / 61 + 1 / 63],
      ['w', 3, 1 / 62],
      ['z', 4, 1 / 63],
    ]);
  });

  test('weights and k change the order as the formula says', () => {
    const got = reciprocalRankFusion([sparse, dense], { weights: [3, 1], k: 60 });
    expect(summary(got)).toEqual([
      ['x', 1, 3 / 61 + 1 / 63],
      ['y', 2, 3 / 62 + 1 / 61],
      ['z', 3, 3 / 63],
      ['w', 4, 1 / 62],
    ]);
    const k0 = reciprocalRankFusion([sparse, dense], { k: 0 });
    expect(k0.find((h) => h.id === 'x')!.score).toBeCloseTo(1 + 1 / 3, 12);
  });

  test('ties break by id; passages are carried over; bad weights are errors', () => {
    const p = { id: 'b', text: 'bee' };
    const got = reciprocalRankFusion([
      [{ id: 'b', score: 1, rank: 1 }],
      [{ id: 'a', score: 5, rank: 1, passage: { id: 'a', text: 'ay' } }],
      [{ ...hits(['b', 0])[0], passage: p }],
    ]);
    expect(got.map((h) => h.id)).toEqual(['b', 'a']);
    expect(got[0].passage).toBe(p);
    expect(reciprocalRankFusion([hits(['b', 1]), hits(['a', 1])]).map((h) => h.id)).toEqual(['a', 'b']);
    expect(() => reciprocalRankFusion([sparse, dense], { weights: [1] })).toThrow('1 weights for 2 result lists');
  });
});

describe('normalised score sum', () => {
  test('min-max: each list mapped to [0, 1], a missing document counts 0', () => {
    // sparse: (s - 2) / 8 -> x 1, y 0.75, z 0; dense: (s - 0.1) / 0.8 -> y 1, w 0.5, x 0.
    const got = normalizedScoreSum([sparse, dense]);
    expect(got.map((h) => h.id)).toEqual(['y', 'x', 'w', 'z']);
    const want: Record<string, number> = { y: 1.75, x: 1, w: 0.5, z: 0 };
    for (const h of got) expect(h.score).toBeCloseTo(want[h.id], 12);
    const weighted = normalizedScoreSum([sparse, dense], { weights: [2, 0.5] });
    const wantWeighted: Record<string, number> = { x: 2, y: 2 * 0.75 + 0.5, w: 0.25, z: 0 };
    for (const h of weighted) expect(h.score).toBeCloseTo(wantWeighted[h.id], 12);
    expect(weighted.map((h) => h.id)).toEqual(['x', 'y', 'w', 'z']);
  });

  test('z-score: (s - mean) / population std, a missing document gets the list minimum', () => {
    const z = (list: number[]) => {
      const mean = list.reduce((a, b) => a + b) / list.length;
      const sd = Math.sqrt(list.reduce((a, s) => a + (s - mean) ** 2, 0) / list.length);
      return list.map((s) => (s - mean) / sd);
    };
    const [zx, zy, zz] = z([10, 8, 2]);
    const [dy, dw, dx] = z([0.9, 0.5, 0.1]);
    expect([zx, zy, zz, dy, dw, dx].map((v) => +v.toFixed(5))).toEqual([
      0.98058, 0.39223, -1.37281, 1.22474, 0, -1.22474,
    ]);
    const want: Record<string, number> = {
      x: zx + dx,
      y: zy + dy,
      z: zz + Math.min(dy, dw, dx),
      w: Math.min(zx, zy, zz) + dw,
    };
    const got = normalizedScoreSum([sparse, dense], { normalization: 'z-score' });
    expect(got.map((h) => h.id)).toEqual(['y', 'x', 'w', 'z']);
    for (const h of got) expect(h.score).toBeCloseTo(want[h.id], 12);
  });

  test('degenerate lists: equal scores normalise to 1 (min-max) or 0 (z-score); empty lists add nothing', () => {
    const flat = hits(['a', 3], ['b', 3]);
    expect(summary(normalizedScoreSum([flat, []]))).toEqual([
      ['a', 1, 1],
      ['b', 2, 1],
    ]);
    expect(normalizedScoreSum([flat], { normalization: 'z-score' }).map((h) => h.score)).toEqual([0, 0]);
  });
});

describe('HybridRetriever', () => {
  /** A retriever with fixed answers that records the depth it was asked for. */
  class Fixed implements Retriever {
    depths: number[] = [];
    constructor(private readonly list: Hit[]) {}
    search(_q: string, k = 10) {
      return this.list.slice(0, k);
    }
    searchBatch(queries: string[], k = 10) {
      this.depths.push(k);
      return queries.map((q) => this.search(q, k));
    }
  }

  test('fuses per query with RRF by default, asks each retriever for max(k, 100), cuts to k', async () => {
    const a = new Fixed(sparse);
    const b = new Fixed(dense);
    const hybrid = new HybridRetriever([a, b]);
    expect(summary(await hybrid.search('q', 2))).toEqual([
      ['y', 1, 1 / 62 + 1 / 61],
      ['x', 2, 1 / 61 + 1 / 63],
    ]);
    expect(a.depths).toEqual([100]);
    const batch = await hybrid.searchBatch(['q1', 'q2'], 3);
    expect(batch).toHaveLength(2);
    expect(batch[1]).toEqual(reciprocalRankFusion([sparse, dense]).slice(0, 3));
  });

  test('weights, score-sum and depth options reach the fusion', async () => {
    const a = new Fixed(sparse);
    const hybrid = new HybridRetriever(
      [
        { retriever: a, weight: 2 },
        { retriever: new Fixed(dense), weight: 0.5 },
      ],
      {
        fusion: 'score-sum',
        depth: 2,
      },
    );
    // Depth 2: sparse gives x, y (x 1, y 0); dense gives y, w (y 1, w 0).
    expect(summary(await hybrid.search('q', 10))).toEqual([
      ['x', 1, 2],
      ['y', 2, 0.5],
      ['w', 3, 0],
    ]);
    expect(a.depths).toEqual([2]);
    expect(() => new HybridRetriever([])).toThrow(/at least one/);
  });
});
