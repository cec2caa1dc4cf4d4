// KARD's reranker evaluation (reranker/main.py `evaluate`, retriever_dataset.py eval fold): for each held-out
// question the target is the passage BM25 ranks first for the rationale; it is put among k−1 other passages drawn
// from the question's search space, and we count how often a scorer ranks it in the top 1, 3 and 5.
import { Rng } from '@kard/nn';
import { isInformative, type Candidate, type RerankerExample } from './training/data';

export interface EvalGroup {
  question: string;
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
}

/**
 * Builds KARD's evaluation groups: the rationale's BM25 top-1 plus k−1 passages drawn (seeded) from the rest of
 * the rationale and question lists. Copies of the target passage are not drawn as distractors.
 */
export function kardEvalGroups(examples: RerankerExample[], opts: { k?: number; seed?: number } = {}): { groups: EvalGroup[]; skipped: number } {
  const k = opts.k ?? 8;
  const rng = new Rng(opts.seed ?? 42);
  const groups: EvalGroup[] = [];
  let skipped = 0;
  for (const ex of examples) {
    if (!isInformative(ex) || ex.fromRationale.length === 0) {
      skipped++;
      continue;
    }
    const target = ex.fromRationale.reduce((best, c) => (c.score > best.score ? c : best));
    const rest = [...ex.fromRationale, ...ex.fromQuestion].filter((c) => c.id !== target.id);
    const seen = new Set<string>();
    const unique = rest.filter((c) => !seen.has(c.id) && seen.add(c.id));
    rng.shuffle(unique);
    groups.push({ question: ex.question, candidates: [target, ...unique.slice(0, k - 1)] });
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
  const pct = (k: number) => (ranks.length ? (100 * ranks.filter((r) => r <= k).length) / ranks.length : 0);
  return { n: ranks.length, skipped, top1: pct(1), top3: pct(3), top5: pct(5) };
}
