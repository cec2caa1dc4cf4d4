import { compareWithBm25 } from './compare';
import { kardEvalGroups } from './metrics';
import type { RerankerExample } from '../training/data';
import { comparisonJson, comparisonMarkdown } from './report';

// Three questions, 8 candidates each; candidate i has rationale score 10 − i (target: i = 0).
// BM25(question) ranks the target first in question 0 only; the "reranker" below does so in questions 0 and 1.
const example = (q: number): RerankerExample => {
  const cands = Array.from({ length: 8 }, (_, i) => ({
    id: `${q}-${i}`,
    text: `p${i}`,
    score: 10 - i,
    questionScore: q === 0 ? 10 - i : i,
  }));
  return { question: `q${q}`, fromRationale: cands.slice(0, 4), fromQuestion: cands.slice(4) };
};
const heldOut = [0, 1, 2].map(example);
const fake = {
  score: (q: string, items: Array<{ id: string; score?: number; questionScore?: number }>) =>
    items.map((c) => (q === 'q2' ? c.questionScore! : (c as { score: number }).score)),
};

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

  it('with several candidate draws, averages over them and counts each question once in its intervals', async () => {
    // 12 questions whose search spaces are larger than the 8 drawn, so draws differ; the scorer is BM25 with noise.
    const big = (q: number): RerankerExample => {
      const cands = Array.from({ length: 14 }, (_, i) => ({
        id: `${q}-${i}`,
        text: `p${i}`,
        score: 14 - i,
        questionScore: ((i * 7 + q * 3) % 11) + (i === 0 ? 4 : 0),
      }));
      return { question: `q${q}`, fromRationale: cands.slice(0, 7), fromQuestion: cands.slice(7) };
    };
    const many = Array.from({ length: 12 }, (_, q) => big(q));
    const noisy = {
      score: (q: string, items: Array<{ id: string; questionScore?: number }>) =>
        items.map((c) => c.questionScore! + (Number(c.id.split('-')[1]) % 3)),
    };
    const one = await Promise.all([42, 43, 44].map((s) => compareWithBm25(many, noisy, s)));
    // the draws differ (else averaging them would prove nothing)
    expect(new Set(one.map((r) => r.bm25.ranks.join())).size).toBe(3);
    const three = await compareWithBm25(many, noisy, 42, 3);
    expect(three.bm25.n).toBe(36);
    expect(new Set(three.bm25.clusters).size).toBe(12);
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    expect(three.bm25.top1).toBeCloseTo(mean(one.map((r) => r.bm25.top1)), 10);
    expect(three.reranker.top3).toBeCloseTo(mean(one.map((r) => r.reranker.top3)), 10);
    expect(three.gain.top1.diff).toBeCloseTo(mean(one.map((r) => r.gain.top1.diff)), 10);
    expect(comparisonMarkdown(three)).toContain('Held-out questions: 12 × 3 candidate draws');
    await expect(compareWithBm25(many, noisy, 42, 0)).rejects.toThrow(/draws/);
  });

  it('refuses held-out candidates without a BM25 score for the question', async () => {
    const bare = heldOut.map((ex) => ({
      ...ex,
      fromRationale: ex.fromRationale.map(({ questionScore: _q, ...c }) => c),
    }));
    await expect(compareWithBm25(bare, fake)).rejects.toThrow(/questionScore/);
  });
});

describe('comparisonJson', () => {
  it("drops ranks and clusters from both scorers, in members' and folds' comparisons too, and keeps the rest", async () => {
    const r = await compareWithBm25(heldOut, fake, 42, 2);
    expect(r.bm25.ranks).toHaveLength(6);
    expect(r.bm25.clusters).toHaveLength(6);
    const json = comparisonJson({ ...r, members: [r], folds: [r, r] }) as Record<string, never>;
    const scorerKeys = Object.keys(r.bm25)
      .filter((k) => k !== 'ranks' && k !== 'clusters')
      .sort();
    const parts = [json, json.members[0], json.folds[0], json.folds[1]] as Array<
      Record<string, Record<string, unknown>>
    >;
    for (const part of parts) {
      expect(Object.keys(part.bm25).sort()).toEqual(scorerKeys);
      expect(Object.keys(part.reranker).sort()).toEqual(scorerKeys);
      expect(part.bm25.top1).toBe(r.bm25.top1);
      expect(part.gain).toEqual(r.gain);
    }
    expect(JSON.stringify(json)).not.toMatch(/"ranks"|"clusters"/);
  });
});
