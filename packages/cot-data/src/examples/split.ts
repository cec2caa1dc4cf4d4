import { Rng } from '@kard/core';

/**
 * Splits records into train / validation by question, never by record, so no question's rationales end up on
 * both sides. The validation questions are a seeded draw of `round(fraction * questions)` ids.
 */
export function splitByQuestion<T extends { questionId: string }>(
  records: T[],
  fraction: number,
  seed: number,
): { train: T[]; validation: T[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const ids = [...new Set(records.map((r) => r.questionId))].sort();
  const held = new Set(new Rng(seed).shuffle(ids).slice(0, Math.round(fraction * ids.length)));
  return {
    train: records.filter((r) => !held.has(r.questionId)),
    validation: records.filter((r) => held.has(r.questionId)),
  };
}
