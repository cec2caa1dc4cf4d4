import { kardEvalGroups, rankOfTarget, rankingAccuracy } from './metrics';
import type { RerankerExample } from './training/data';

const c = (id: string, score: number) => ({ id, text: id, score });

describe("KARD's reranker metrics", () => {
  it('ranks the target pessimistically on ties', () => {
    expect(rankOfTarget([5, 1, 2])).toBe(1);
    expect(rankOfTarget([2, 5, 2])).toBe(3);
    expect(rankOfTarget([0, 0, 0, 0])).toBe(4);
  });

  it('targets the best rationale passage among k candidates and skips questions whose candidates all score zero', () => {
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
  });

  it('counts top-1/3/5 accuracy in percent', async () => {
    const groups = [4, 1, 2, 6].map((rank) => ({ question: String(rank), candidates: Array.from({ length: 8 }, (_, i) => c(String(i), 0)) }));
    // Scorer puts the target at the rank named by the question.
    const acc = await rankingAccuracy(groups, (q) => Array.from({ length: 8 }, (_, i) => (i === 0 ? 10 - Number(q) : 10 - (i < Number(q) ? i : i + 1))));
    expect(acc).toEqual({ n: 4, skipped: 0, top1: 25, top3: 50, top5: 75 });
  });
});
