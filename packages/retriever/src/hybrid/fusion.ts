import type { Hit } from '../types';

export interface RrfOptions {
  /** The constant in 1 / (k + rank); larger values flatten the difference between top ranks. @default 60 */
  k?: number;
  /** One weight per list. @default all 1 */
  weights?: readonly number[];
}

export type ScoreNormalization = 'min-max' | 'z-score';

export interface ScoreSumOptions {
  /**
   * How each list's scores are put on one scale before summing, per query:
   * `min-max` maps a list to [0, 1] (all 1 when every score is equal); `z-score` subtracts the list's mean and
   * divides by its (population) standard deviation (all 0 when it is 0). @default 'min-max'
   */
  normalization?: ScoreNormalization;
  /** One weight per list. @default all 1 */
  weights?: readonly number[];
}

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): a document scores
 * sum_i weight_i / (k + rank_i), over the lists that returned it (rank = 1-based position in the list).
 * Returns every document of every list, best first, ties by id ascending.
 */
export function reciprocalRankFusion(lists: readonly (readonly Hit[])[], options: RrfOptions = {}): Hit[] {
  const k = options.k ?? 60;
  if (!(k >= 0)) throw new RangeError(`RRF k must be >= 0, got ${k}`);
  const weights = checkWeights(options.weights, lists.length);
  const fused = new Map<string, Hit>();
  lists.forEach((list, i) => {
    list.forEach((hit, position) => accumulate(fused, hit, weights[i] / (k + position + 1)));
  });
  return ranked(fused);
}

/**
 * Weighted sum of per-query normalised scores. A document missing from a list gets that list's lowest
 * normalised value (0 for min-max), i.e. it counts as no better than the list's last hit.
 */
export function normalizedScoreSum(lists: readonly (readonly Hit[])[], options: ScoreSumOptions = {}): Hit[] {
  const normalization = options.normalization ?? 'min-max';
  if (normalization !== 'min-max' && normalization !== 'z-score') {
    throw new RangeError(`normalization must be 'min-max' or 'z-score', got ${normalization}`);
  }
  const weights = checkWeights(options.weights, lists.length);
  const perList = lists.map((list) => normalize(list, normalization));
  const fused = new Map<string, Hit>();
  lists.forEach((list) => list.forEach((hit) => accumulate(fused, hit, 0)));
  for (const [id, hit] of fused) {
    let score = 0;
    perList.forEach(({ byId, floor }, i) => {
      score += weights[i] * (byId.get(id) ?? floor);
    });
    hit.score = score;
  }
  return ranked(fused);
}

function normalize(list: readonly Hit[], how: ScoreNormalization): { byId: Map<string, number>; floor: number } {
  const byId = new Map<string, number>();
  if (list.length === 0) return { byId, floor: 0 };
  const scores = list.map((h) => h.score);
  let f: (s: number) => number;
  if (how === 'min-max') {
    const min = Math.min(...scores);
    const max = Math.max(...scores);
    f = max > min ? (s) => (s - min) / (max - min) : () => 1;
  } else {
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length);
    f = std > 0 ? (s) => (s - mean) / std : () => 0;
  }
  let floor = how === 'min-max' ? 0 : Infinity;
  for (const h of list) {
    const v = f(h.score);
    if (!byId.has(h.id)) byId.set(h.id, v);
    if (how === 'z-score') floor = Math.min(floor, v);
  }
  return { byId, floor };
}

function checkWeights(weights: readonly number[] | undefined, n: number): readonly number[] {
  if (weights === undefined) return new Array(n).fill(1);
  if (weights.length !== n) throw new RangeError(`${weights.length} weights for ${n} result lists`);
  for (const w of weights) if (!Number.isFinite(w)) throw new RangeError(`weights must be finite numbers, got ${w}`);
  return weights;
}

/** Adds `score` to the document's running total; the first list that carries a passage provides it. */
function accumulate(fused: Map<string, Hit>, hit: Hit, score: number): void {
  const seen = fused.get(hit.id);
  if (!seen) {
    fused.set(hit.id, { id: hit.id, score, rank: 0, ...(hit.passage ? { passage: hit.passage } : {}) });
    return;
  }
  seen.score += score;
  if (!seen.passage && hit.passage) seen.passage = hit.passage;
}

function ranked(fused: Map<string, Hit>): Hit[] {
  const hits = [...fused.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  hits.forEach((h, i) => (h.rank = i + 1));
  return hits;
}
