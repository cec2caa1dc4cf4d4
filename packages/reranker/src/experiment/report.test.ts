import { kardEvalGroups } from '../metrics';
import type { RerankerExample } from '../training/data';
import { comparisonMarkdown } from './report';
import { compareWithBm25 } from './train-eval';

// Three questions, 8 candidates each; candidate i has rationale score 10 − i (target: i = 0).
// BM25(question) ranks the target first in question 0 only; the "reranker" below does so in questions 0 and 1.
const example = (q: number): RerankerExample => {
  const cands = Array.from({ length: 8 }, (_, i) => ({ id: `${q}-${i}`, text: `p${i}`, score: 10 - i, questionScore: q === 0 ? 10 - i : i }));
  return { question: `q${q}`, fromRationale: cands.slice(0, 4), fromQuestion: cands.slice(4) };
};
const heldOut = [0, 1, 2].map(example);
const fake = { score: (q: string, items: Array<{ id: string; score?: number; questionScore?: number }>) => items.map((c) => (q === 'q2' ? c.questionScore! : (c as { score: number }).score)) };

describe('compareWithBm25 and its Markdown report', () => {
  it('ranks BM25(question) by questionScore, the reranker by its own scores, and pairs them per question', async () => {
    const r = await compareWithBm25(heldOut, fake);
    expect(kardEvalGroups(heldOut).groups).toHaveLength(3);
    expect([r.bm25.n, r.bm25.top1, r.reranker.top1]).toEqual([3, 100 / 3, 200 / 3]);
    expect([r.gain.top1.onlyB, r.gain.top1.onlyA]).toEqual([1, 0]);
    expect(r.gain.top1.diff).toBeCloseTo(100 / 3, 10);
    const md = comparisonMarkdown(r);
    expect(md).toContain('Held-out questions: 3');
    expect(md).toMatch(/\| BM25\(question\) \| 33\.3 \(/);
    expect(md).toMatch(/\| reranker \| 66\.7 \(/);
    expect(md).toContain('| gain, paired (95% CI) | +33.3 [');
  });

  it('refuses held-out candidates without a BM25 score for the question', async () => {
    const bare = heldOut.map((ex) => ({ ...ex, fromRationale: ex.fromRationale.map(({ questionScore: _q, ...c }) => c) }));
    await expect(compareWithBm25(bare, fake)).rejects.toThrow(/questionScore/);
  });
});
