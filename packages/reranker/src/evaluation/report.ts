// The held-out comparison as a Markdown table (the `kard-reranker eval` output and the README's format).
import { meanInterval, wilsonInterval } from '@kard/core';
import type { RerankerComparison } from './compare';
import type { RankingAccuracy } from './metrics';

const f = (x: number) => x.toFixed(1);

/** 95 % interval of a scorer's top-1: Wilson over questions, or cluster-robust when questions have several draws. */
function top1Interval(a: RankingAccuracy): [number, number] {
  const { ci95 } = a.clusters
    ? meanInterval(
        a.ranks.map((r) => Number(r === 1)),
        a.clusters,
      )
    : { ci95: wilsonInterval(a.ranks.filter((r) => r === 1).length, a.n) };
  return [100 * ci95[0], 100 * ci95[1]];
}

export function comparisonMarkdown(r: RerankerComparison, title?: string): string {
  const n = r.bm25.n;
  const questions = r.bm25.clusters ? new Set(r.bm25.clusters).size : n;
  const draws = n / Math.max(1, questions);
  const ci = (a: RankingAccuracy) => top1Interval(a).map(f).join('–');
  const g = r.gain;
  const gain = (d: typeof g.top1) => `${d.diff >= 0 ? '+' : ''}${f(d.diff)} [${f(d.ci95[0])}, ${f(d.ci95[1])}]`;
  return [
    ...(title ? [`### ${title}`, ''] : []),
    `Held-out questions: ` +
      `${questions}${draws > 1 ? ` × ${draws} candidate draws (intervals count a question's draws as one)` : ''} ` +
      `(skipped ${r.bm25.skipped} without a target); target = the rationale's BM25 top-1 among 8 candidates.`,
    '',
    '| scorer | top-1 (95% CI) | top-3 | top-5 |',
    '|---|---|---|---|',
    `| BM25(question) | ${f(r.bm25.top1)} (${ci(r.bm25)}) | ${f(r.bm25.top3)} | ${f(r.bm25.top5)} |`,
    `| reranker | ${f(r.reranker.top1)} (${ci(r.reranker)}) | ${f(r.reranker.top3)} | ${f(r.reranker.top5)} |`,
    `| gain, paired (95% CI) | ${gain(g.top1)} | ${gain(g.top3)} | ${gain(g.top5)} |`,
    '',
    `Top-1: the reranker alone is right in ${g.top1.onlyB} ${draws > 1 ? 'groups' : 'questions'}, BM25 alone in ` +
      `${g.top1.onlyA}.`,
    '',
  ].join('\n');
}

/**
 * A comparison as JSON without its per-question ranks and clusters (thousands of numbers), in members' and folds'
 * comparisons too; `--with-ranks` output keeps them.
 */
export function comparisonJson(
  r: RerankerComparison & { members?: RerankerComparison[]; folds?: RerankerComparison[] },
): Record<string, unknown> {
  const strip = ({ ranks: _ranks, clusters: _clusters, ...rest }: RerankerComparison['bm25']) => rest;
  return {
    ...r,
    bm25: strip(r.bm25),
    reranker: strip(r.reranker),
    ...(r.members ? { members: r.members.map(comparisonJson) } : {}),
    ...(r.folds ? { folds: r.folds.map(comparisonJson) } : {}),
  };
}
