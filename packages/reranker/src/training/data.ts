import type { Rng } from '@kard/core';

/** One passage in a question's search space, scored by BM25 against the question's rationale. */
export interface Candidate {
  id: string;
  /** The text the encoder reads (title and paragraph, as BM25 indexed it). */
  text: string;
  /** BM25(rationale, passage): the teacher signal. */
  score: number;
  /** BM25(question, passage): an input of hybrid rerankers (never the teacher signal). */
  questionScore?: number;
}

/** A training (or held-out) question with KARD's search space: BM25 top-n for its rationale and for itself. */
export interface RerankerExample {
  question: string;
  /** BM25 top-n for the rationale, best first. */
  fromRationale: Candidate[];
  /** BM25 top-n for the question, best first, rescored against the rationale. */
  fromQuestion: Candidate[];
}

/**
 * Whether the example carries any teacher signal. When every candidate scores zero for the rationale, the target
 * softmax is uniform and only flattens the model, so such questions are left out of training and evaluation.
 */
export function isInformative(ex: RerankerExample): boolean {
  return [...ex.fromRationale, ...ex.fromQuestion].some((c) => c.score > 0);
}

function sampleWithout<T>(items: T[], n: number, rng: Rng): T[] {
  const copy = items.slice();
  const m = Math.min(n, copy.length);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, m);
}

/**
 * KARD's per-step candidates: k/2 drawn without replacement from each list (`random.sample(r, k//2) +
 * random.sample(q, k//2)`). When a list is short the other one fills the gap; when both together hold fewer than k
 * candidates, draws repeat (with replacement) so every question in a batch has exactly k.
 */
export function sampleCandidates(ex: RerankerExample, k: number, rng: Rng): Candidate[] {
  const pool = ex.fromRationale.length + ex.fromQuestion.length;
  if (pool === 0) throw new RangeError(`question "${ex.question}" has no candidates`);
  const half = Math.floor(k / 2);
  const fromR = sampleWithout(ex.fromRationale, Math.max(half, k - Math.min(k - half, ex.fromQuestion.length)), rng);
  const fromQ = sampleWithout(ex.fromQuestion, k - fromR.length, rng);
  const out = [...fromR, ...fromQ];
  const all = [...ex.fromRationale, ...ex.fromQuestion];
  while (out.length < k) out.push(all[rng.int(all.length)]);
  return out;
}
