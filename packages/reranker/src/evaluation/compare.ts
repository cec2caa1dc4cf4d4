// KARD's held-out comparison of a reranker with BM25(question): the same groups ranked by both, paired per question.
import type { NeuralReranker } from '../inference/neural-reranker';
import type { RerankerExample } from '../training/data';
import {
  kardEvalGroups,
  pairedDifference,
  rankingAccuracy,
  type EvalGroup,
  type PairedDifference,
  type RankingAccuracy,
} from './metrics';

export interface RerankerComparison {
  bm25: RankingAccuracy;
  reranker: RankingAccuracy;
  /** Reranker minus BM25(question), per top-k, paired over the same questions and candidates. */
  gain: { top1: PairedDifference; top3: PairedDifference; top5: PairedDifference };
}

/**
 * KARD's evaluation (8 candidates, target = the rationale's BM25 top-1) of BM25(question) and `reranker`. With
 * `draws` > 1 each question is evaluated on that many candidate draws (seeds seed, seed+1, ...): the accuracies
 * average over them and the intervals count a question's draws as one unit (less noise from which 7 distractors
 * happened to be drawn, no false precision). KARD's protocol is one draw.
 */
export async function compareWithBm25(
  heldOut: RerankerExample[],
  reranker: Pick<NeuralReranker, 'score'>,
  seed = 42,
  draws = 1,
): Promise<RerankerComparison> {
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`draws must be a positive integer, got ${draws}`);
  const groups: EvalGroup[] = [];
  let skipped = 0;
  for (let d = 0; d < draws; d++) {
    const drawn = kardEvalGroups(heldOut, { k: 8, seed: seed + d });
    groups.push(...drawn.groups);
    skipped = drawn.skipped;
  }
  // BM25(question) is the candidates' questionScore: the same numbers the first stage gives at inference.
  if (groups.some((g) => g.candidates.some((c) => c.questionScore === undefined)))
    throw new RangeError('held-out candidates need questionScore (withQuestionScores)');
  const bm25 = await rankingAccuracy(groups, (_q, cands) => cands.map((c) => c.questionScore!), skipped);
  const rr = await rankingAccuracy(groups, (q, cands) => reranker.score(q, cands), skipped);
  if (draws > 1) bm25.clusters = rr.clusters = groups.map((g) => g.index);
  return rerankerComparison(bm25, rr);
}

/**
 * BM25 and reranker accuracies (over the same groups, e.g. pooled over folds) with the reranker's paired gain at
 * top-1/3/5.
 */
export function rerankerComparison(bm25: RankingAccuracy, reranker: RankingAccuracy): RerankerComparison {
  const gain = (k: number) => pairedDifference(bm25.ranks, reranker.ranks, k, undefined, bm25.clusters);
  return { bm25, reranker, gain: { top1: gain(1), top3: gain(3), top5: gain(5) } };
}
