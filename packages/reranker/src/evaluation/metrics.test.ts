import { kardEvalGroups, pairedDifference, rankOfTarget, rankingAccuracy } from './metrics';
import type { RerankerExample } from '../training/data';

const c = (id: string, score: number) => ({ id, text: id, score });

describe("KARD's reranker metrics", () => {
  it('ranks the target pessimistically on ties', () => {
    expect(rankOfTarget([5, 1, 2])).toBe(1);
    expect(rankOfTarget([2, 5, 2])).toBe(3);
    expect(rankOfTarget([0, 0, 0, 0])).toBe(4);
  });

  it(
    'targets the best rationale passage among k candidates ' + 'and skips questions whose candidates all score zero',
    () => {
      const ex: RerankerExample = {
        question: 'q',
        fromRationale: [c('a', 3), c('b', 9), c('c', 1)],
        fromQuestion: [c('b', 9), c('d', 0), c('e', 0), c('f', 2)],
      };
      const zero: RerankerExample = { question: 'z', fromRationale: [c('x', 0)], fromQuestion: [c('y', 0)] };
      const { groups, skipped } = kardEvalGroups([ex, zero], { k: 4, seed: 1 });
      expect(skipped).toBe(1);
      expect(groups).toHaveLength(1);
      expect(groups[0].candidates[0].id).toBe('b');
      expect(groups[0].candidates).toHaveLength(4);
      expect(new Set(groups[0].candidates.map((x) => x.id)).size).toBe(4); // no copy of the target
    },
  );

  it('counts top-1/3/5 accuracy in percent', async () => {
    const groups = [4, 1, 2, 6].map((rank, index) => ({
      question: String(rank),
      index,
      candidates: Array.from({ length: 8 }, (_, i) => c(String(i), 0)),
    }));
    // Scorer puts the target at the rank named by the question.
    const acc = await rankingAccuracy(groups, (q) =>
      Array.from({ length: 8 }, (_, i) => (i === 0 ? 10 - Number(q) : 10 - (i < Number(q) ? i : i + 1))),
    );
    expect(acc).toEqual({ n: 4, skipped: 0, top1: 25, top3: 50, top5: 75, ranks: [4, 1, 2, 6] });
  });

  it('compares two scorers question by question with a normal 95% interval of the mean difference', () => {
    // top-1 hits: A = [1,1,0,0,1], B = [1,0,1,1,1] -> d = [0,-1,1,1,0], mean 0.2, sd = sqrt(0.7), half-width
    // 1.96*sqrt(0.7/5).
    const d = pairedDifference([1, 1, 2, 4, 1], [1, 3, 1, 1, 1], 1);
    const h = 1.959963984540054 * Math.sqrt(0.7 / 5); // z = Φ⁻¹(0.975)
    expect(d.n).toBe(5);
    expect(d.diff).toBeCloseTo(20, 10);
    expect(d.ci95[0]).toBeCloseTo(100 * (0.2 - h), 8);
    expect(d.ci95[1]).toBeCloseTo(100 * (0.2 + h), 8);
    expect([d.onlyB, d.onlyA]).toEqual([2, 1]);
    const top3 = pairedDifference([1, 1, 2, 4, 1], [1, 3, 1, 1, 1], 3); // at top-3 only q4 differs, for B
    expect([top3.diff, top3.onlyB, top3.onlyA]).toEqual([20, 1, 0]);
    expect(() => pairedDifference([1], [1, 2], 1)).toThrow(/equal lengths/);
  });

  it(
    'counts repeated draws of a question as one unit: duplicated groups with clusters keep the interval of the ' +
      'originals',
    () => {
      const ranksA = [1, 2, 1, 3];
      const ranksB = [1, 1, 2, 1];
      const single = pairedDifference(ranksA, ranksB, 1);
      const doubled = pairedDifference(
        [...ranksA, ...ranksA],
        [...ranksB, ...ranksB],
        1,
        undefined,
        [0, 1, 2, 3, 0, 1, 2, 3],
      );
      expect(doubled.diff).toBeCloseTo(single.diff, 10);
      expect(doubled.ci95[0]).toBeCloseTo(single.ci95[0], 10);
    },
  );
});
