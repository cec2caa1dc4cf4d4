// The held-out comparison as a Markdown table (the `kard-reranker train|eval` output and the README's format).
import { wilsonInterval } from '../metrics';
import type { RerankerComparison } from './train-eval';

const f = (x: number) => x.toFixed(1);

export function comparisonMarkdown(r: RerankerComparison): string {
  const n = r.bm25.n;
  const ci = (top1: number) => wilsonInterval(Math.round((top1 * n) / 100), n).map(f).join('–');
  const g = r.gain;
  const gain = (d: typeof g.top1) => `${d.diff >= 0 ? '+' : ''}${f(d.diff)} [${f(d.ci95[0])}, ${f(d.ci95[1])}]`;
  return [
    `Held-out questions: ${n} (skipped ${r.bm25.skipped} without a target); target = the rationale's BM25 top-1 among 8 candidates.`,
    '',
    '| scorer | top-1 (95% CI) | top-3 | top-5 |',
    '|---|---|---|---|',
    `| BM25(question) | ${f(r.bm25.top1)} (${ci(r.bm25.top1)}) | ${f(r.bm25.top3)} | ${f(r.bm25.top5)} |`,
    `| reranker | ${f(r.reranker.top1)} (${ci(r.reranker.top1)}) | ${f(r.reranker.top3)} | ${f(r.reranker.top5)} |`,
    `| gain, paired (95% CI) | ${gain(g.top1)} | ${gain(g.top3)} | ${gain(g.top5)} |`,
    '',
    `Top-1: the reranker alone is right on ${g.top1.onlyB} questions, BM25 alone on ${g.top1.onlyA}.`,
    '',
  ].join('\n');
}
