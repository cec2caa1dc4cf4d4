import type { Qrels, Run } from './files';

/** Mean metrics over the evaluated queries. */
export interface Evaluation {
  /** Queries present in both the run and the qrels (trec_eval's default set). */
  queries: number;
  /** recall@k for each requested k. */
  recall: Record<number, number>;
  /** Reciprocal rank of the first relevant document within the top 10, else 0. */
  mrr10: number;
  /** trec_eval's ndcg_cut_10: gain = relevance grade, discount log2(rank + 1), ideal from the qrels. */
  ndcg10: number;
}

/**
 * Orders a query's run as trec_eval does: by score descending, ties by docid descending (the rank column
 * is ignored).
 */
function trecOrder(docs: { docid: string; score: number }[]): string[] {
  return [...docs]
    .sort((a, b) => b.score - a.score || (a.docid < b.docid ? 1 : a.docid > b.docid ? -1 : 0))
    .map((d) => d.docid);
}

/** Evaluates a run against qrels with trec_eval's definitions (relevant: grade >= 1). */
export function evaluateRun(run: Run, qrels: Qrels, recallDepths: number[]): Evaluation {
  const recall: Record<number, number> = {};
  for (const k of recallDepths) recall[k] = 0;
  let mrr10 = 0;
  let ndcg10 = 0;
  let queries = 0;
  for (const [qid, docs] of run) {
    const judged = qrels.get(qid);
    if (!judged) continue;
    queries++;
    const ranked = trecOrder(docs);
    const relevant = [...judged.values()].filter((g) => g > 0).length;
    for (const k of recallDepths) {
      const found = ranked.slice(0, k).filter((id) => (judged.get(id) ?? 0) > 0).length;
      recall[k] += relevant > 0 ? found / relevant : 0;
    }
    const first = ranked.slice(0, 10).findIndex((id) => (judged.get(id) ?? 0) > 0);
    if (first >= 0) mrr10 += 1 / (first + 1);
    const dcg = ranked.slice(0, 10).reduce((s, id, i) => s + Math.max(judged.get(id) ?? 0, 0) / Math.log2(i + 2), 0);
    const ideal = [...judged.values()]
      .filter((g) => g > 0)
      .sort((a, b) => b - a)
      .slice(0, 10)
      .reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
    if (ideal > 0) ndcg10 += dcg / ideal;
  }
  const mean = (x: number) => (queries > 0 ? x / queries : 0);
  for (const k of recallDepths) recall[k] = mean(recall[k]);
  return { queries, recall, mrr10: mean(mrr10), ndcg10: mean(ndcg10) };
}
