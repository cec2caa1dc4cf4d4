import { wilsonInterval } from '@kard/core';

/**
 * Self-consistency's vote: the most frequent answer among the parsed ones (undefined entries are unparsable
 * samples and do not vote). A tie goes to the tied answer sampled first, as the reference's
 * `max(votes, key=Counter(votes).get)` breaks it; with no parsable sample the vote is undefined.
 */
export function majorityVote(answers: Array<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const a of answers) if (a !== undefined) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | undefined;
  // a Map iterates in first-insertion order, so a strict > keeps the earliest of tied answers
  for (const [a, c] of counts) if (best === undefined || c > counts.get(best)!) best = a;
  return best;
}

/** A paired comparison of two methods on the same questions: exact McNemar test on the discordant pairs. */
export interface PairedTest {
  /** Questions both methods answered (matched by id). */
  n: number;
  /** Questions only the first method got right. */
  onlyFirst: number;
  /** Questions only the second method got right. */
  onlySecond: number;
  /** Two-sided exact McNemar p-value: 2 P(X <= min(b, c)), X ~ Binomial(b + c, 1/2), capped at 1. */
  p: number;
}

/** log(exp(a) + exp(b)) without overflow. */
const logAddExp = (a: number, b: number) =>
  a === -Infinity ? b : b === -Infinity ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));

/**
 * Exact McNemar p-value for `b` and `c` discordant pairs: the binomial tail summed in log space (a 2^-n term
 * underflows a double from n = 1075 on), so it stays exact to rounding for any test-set size.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let logTail = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log((n - i) / (i + 1));
    logTail = logAddExp(logTail, logTerm);
  }
  return Math.min(1, 2 * Math.exp(logTail));
}

/** McNemar's test between two methods' predictions, paired by question id (ids only one of them has are left out). */
export function pairedTest(
  first: Array<{ id: string; correct: boolean }>,
  second: Array<{ id: string; correct: boolean }>,
): PairedTest {
  const other = new Map(second.map((p) => [p.id, p.correct]));
  let n = 0,
    onlyFirst = 0,
    onlySecond = 0;
  for (const p of first) {
    const q = other.get(p.id);
    if (q === undefined) continue;
    n++;
    if (p.correct && !q) onlyFirst++;
    else if (!p.correct && q) onlySecond++;
  }
  return { n, onlyFirst, onlySecond, p: mcnemarExact(onlyFirst, onlySecond) };
}

/**
 * The most common gold answer and its share of the questions: what always answering it scores (the first of tied
 * answers in question order; an empty set has no answer and rate 0).
 */
export function majorityClass(golds: string[]): { answer: string; rate: number } {
  const answer = majorityVote(golds);
  if (answer === undefined) return { answer: '', rate: 0 };
  return { answer, rate: golds.filter((g) => g === answer).length / golds.length };
}
export interface AccuracySummary {
  accuracy: number;
  ci95: [number, number];
  n: number;
  correct: number;
  /** Predictions with no parsable answer (counted as wrong). */
  unparsed: number;
}

/** Accuracy over predictions; an unparsable prediction (undefined) is wrong and counted in `unparsed`. */
export function summarizeAccuracy(
  predictions: Array<{ predicted: string | undefined; gold: string }>,
): AccuracySummary {
  const n = predictions.length;
  const correct = predictions.filter((p) => p.predicted !== undefined && p.predicted === p.gold).length;
  const unparsed = predictions.filter((p) => p.predicted === undefined).length;
  return { accuracy: n ? correct / n : 0, ci95: wilsonInterval(correct, n), n, correct, unparsed };
}
