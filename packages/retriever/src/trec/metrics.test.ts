import { evaluateRun } from './metrics';
import type { Qrels, Run } from './files';

const qrels: Qrels = new Map([
  [
    'q1',
    new Map([
      ['d1', 1],
      ['d3', 2],
      ['d9', 1],
      ['d7', 0],
    ]),
  ],
  ['q2', new Map([['d5', 1]])],
  ['q3', new Map([['d1', 1]])], // not in the run: not evaluated (trec_eval default)
]);
const run: Run = new Map([
  [
    'q1',
    [
      { docid: 'd2', score: 3, rank: 1 },
      { docid: 'd3', score: 2, rank: 2 },
      { docid: 'd1', score: 1, rank: 3 },
      { docid: 'd7', score: 0.5, rank: 4 },
    ],
  ],
  [
    'q2',
    [
      { docid: 'd4', score: 5, rank: 1 },
      { docid: 'd6', score: 4, rank: 2 },
    ],
  ],
  ['q4', [{ docid: 'd1', score: 1, rank: 1 }]], // no judgements: not evaluated
]);

describe('evaluateRun', () => {
  it('matches a hand computation of recall@k, MRR@10 and nDCG@10', () => {
    const e = evaluateRun(run, qrels, [2, 4]);
    expect(e.queries).toBe(2);
    // q1: relevant d1, d3, d9 (d7 has grade 0). Top 2: d2, d3 -> 1/3; top 4 -> 2/3. q2: nothing found.
    expect(e.recall[2]).toBeCloseTo((1 / 3 + 0) / 2, 12);
    expect(e.recall[4]).toBeCloseTo((2 / 3 + 0) / 2, 12);
    // q1: first relevant at rank 2.
    expect(e.mrr10).toBeCloseTo((1 / 2 + 0) / 2, 12);
    // q1: DCG = 2/log2(3) + 1/log2(4); ideal = 2/log2(2) + 1/log2(3) + 1/log2(4).
    const ndcgQ1 = (2 / Math.log2(3) + 1 / 2) / (2 + 1 / Math.log2(3) + 1 / 2);
    expect(e.ndcg10).toBeCloseTo(ndcgQ1 / 2, 12);
  });

  it('orders tied scores by docid descending and ignores the rank column, as trec_eval does', () => {
    const tied: Run = new Map([
      [
        'q',
        [
          { docid: 'a', score: 1, rank: 1 },
          { docid: 'b', score: 1, rank: 2 },
        ],
      ],
    ]);
    const e = evaluateRun(tied, new Map([['q', new Map([['a', 1]])]]), [1]);
    expect(e.recall[1]).toBe(0); // "b" comes first
    expect(e.mrr10).toBe(0.5);
  });

  it('cuts MRR and nDCG at 10', () => {
    const docs = Array.from({ length: 11 }, (_, i) => ({ docid: `x${i}`, score: 100 - i, rank: i + 1 }));
    const e = evaluateRun(new Map([['q', docs]]), new Map([['q', new Map([['x10', 1]])]]), [11]);
    expect([e.mrr10, e.ndcg10, e.recall[11]]).toEqual([0, 0, 1]);
  });
});
