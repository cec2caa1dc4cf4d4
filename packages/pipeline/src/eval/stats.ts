import { wilsonInterval } from '@kard/core';

/**
 * Self-consistency's vote: the most frequent answer among the parsed ones (undefined entries are unparsable
 * samples and do not vote). Ties go to the answer that reached the top count first, so the result is
 * deterministic; with no parsable sample the vote is undefined.
 */
export function majorityVote(answers: Array<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  let best: string | undefined;
  let bestCount = 0;
  for (const a of answers) {
    if (a === undefined) continue;
    const c = (counts.get(a) ?? 0) + 1;
    counts.set(a, c);
    if (c > bestCount) {
      best = a;
      bestCount = c;
    }
  }
  return best;
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
