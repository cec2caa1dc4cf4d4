// KARD's reranker evaluation (reranker/main.py `evaluate`, retriever_dataset.py eval fold): for each held-out
// question the target is the passage BM25 ranks first for the rationale; it is put among k−1 other passages drawn
// from the question's search space, and we count how often a scorer ranks it in the top 1, 3 and 5.
import { Rng, Z95, meanInterval } from '@kard/core';
import { isInformative, type Candidate, type RerankerExample } from '../training/data';

export interface EvalGroup {
  question: string;
  /** Position of the question among the examples the groups were drawn from. */
  index: number;
  /** candidates[0] is the target. */
  candidates: Candidate[];
}

export interface RankingAccuracy {
  /** Questions evaluated. */
  n: number;
  /** Held-out questions left out: no candidates, or none with a positive rationale score (no defined target). */
  skipped: number;
  /** Percentages, as KARD prints them. */
  top1: number;
  top3: number;
  top5: number;
  /** The target's 1-based rank in each group, in group order (for paired comparisons). */
  ranks: number[];
  /**
   * With several candidate draws per question: the question each rank belongs to, so intervals treat a question's
   * draws as one unit (cluster-robust). Absent when every group is its own question.
   */
  clusters?: number[];
}

/**
 * Builds KARD's evaluation groups: the rationale's BM25 top-1 plus k−1 passages drawn (seeded) from the rest of
 * the rationale and question lists. Copies of the target passage are not drawn as distractors.
 */
export function kardEvalGroups(
  examples: RerankerExample[],
  opts: { k?: number; seed?: number } = {},
): { groups: EvalGroup[]; skipped: number } {
  const k = opts.k ?? 8;
  const rng = new Rng(opts.seed ?? 42);
  const groups: EvalGroup[] = [];
  let skipped = 0;
  for (const [index, ex] of examples.entries()) {
    if (!isInformative(ex) || ex.fromRationale.length === 0) {
      skipped++;
      continue;
    }
    const target = ex.fromRationale.reduce((best, c) => (c.score > best.score ? c : best));
    const rest = [...ex.fromRationale, ...ex.fromQuestion].filter((c) => c.id !== target.id);
    const seen = new Set<string>();
    const unique = rest.filter((c) => !seen.has(c.id) && seen.add(c.id));
    rng.shuffle(unique);
    groups.push({ question: ex.question, index, candidates: [target, ...unique.slice(0, k - 1)] });
  }
  return { groups, skipped };
}

/** 1-based rank of candidate `target` under `scores`; ties count against it (a tie is not a win). */
export function rankOfTarget(scores: ArrayLike<number>, target = 0): number {
  let rank = 1;
  for (let i = 0; i < scores.length; i++) if (i !== target && scores[i] >= scores[target]) rank++;
  return rank;
}

export type GroupScorer = (question: string, candidates: Candidate[]) => ArrayLike<number> | Promise<ArrayLike<number>>;

export async function rankingAccuracy(groups: EvalGroup[], scorer: GroupScorer, skipped = 0): Promise<RankingAccuracy> {
  const ranks: number[] = [];
  for (const g of groups) ranks.push(rankOfTarget(await scorer(g.question, g.candidates)));
  return accuracyFromRanks(ranks, skipped);
}

/** Top-1/3/5 accuracy (percent) of the targets' 1-based `ranks` (`clusters`: see RankingAccuracy). */
export function accuracyFromRanks(ranks: number[], skipped = 0, clusters?: number[]): RankingAccuracy {
  const pct = (k: number) => (ranks.length ? (100 * ranks.filter((r) => r <= k).length) / ranks.length : 0);
  return {
    n: ranks.length,
    skipped,
    top1: pct(1),
    top3: pct(3),
    top5: pct(5),
    ranks,
    ...(clusters ? { clusters } : {}),
  };
}

export interface PairedDifference {
  /** Questions compared (the same groups under both scorers). */
  n: number;
  /** Percentage points: accuracy of B minus accuracy of A at top-`k`. */
  diff: number;
  /** 95 % interval of `diff` (normal approximation on the per-question differences; cluster-robust with clusters). */
  ci95: [number, number];
  /** Questions only B got right, only A got right. */
  onlyB: number;
  onlyA: number;
}

/**
 * Paired comparison of two scorers on the same groups at top-`k`: the mean per-group difference
 * (1 when only B ranks the target within k, −1 when only A does) with a 95 % normal interval, cluster-robust
 * when `clusters` says which groups are draws of the same question.
 */
export function pairedDifference(
  ranksA: number[],
  ranksB: number[],
  k: number,
  z = Z95,
  clusters?: number[],
): PairedDifference {
  if (ranksA.length !== ranksB.length)
    throw new RangeError(`paired comparison needs equal lengths, got ${ranksA.length} and ${ranksB.length}`);
  const d = ranksA.map((a, i) => Number(ranksB[i] <= k) - Number(a <= k));
  const { mean, ci95 } = meanInterval(d, clusters, z);
  return {
    n: d.length,
    diff: 100 * mean,
    ci95: [100 * ci95[0], 100 * ci95[1]],
    onlyB: d.filter((x) => x > 0).length,
    onlyA: d.filter((x) => x < 0).length,
  };
}
