import { DatasetFormatError } from './errors';

export interface McOption {
  /** "A", "B", ... */
  label: string;
  text: string;
}

/** One multiple-choice question, whatever benchmark it came from. Yes/no questions are A yes / B no. */
export interface McQuestion {
  id: string;
  question: string;
  options: McOption[];
  /** The gold option's label. */
  answer: string;
  split: string;
  /** Whatever else the source carried (StrategyQA evidence, MedQA meta_info, the OBQA fact, ...). */
  meta: Record<string, unknown>;
}

export const LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export const YES_NO: McOption[] = [
  { label: 'A', text: 'yes' },
  { label: 'B', text: 'no' },
];

/** Gives options labels A, B, ... in order. */
export function labelOptions(texts: string[]): McOption[] {
  return texts.map((text, i) => ({ label: LABELS[i], text }));
}

/**
 * Checks the invariants every loader promises; throws naming the file and line of the offending record.
 * A question with no options, duplicate labels or a gold label outside its options is never let through.
 */
export function checkQuestion(q: McQuestion, file?: string, line?: number): McQuestion {
  if (!q.id) throw new DatasetFormatError('question without an id', file, line);
  if (!q.question || !q.question.trim()) throw new DatasetFormatError(`question ${q.id} has no text`, file, line);
  if (q.options.length < 2)
    throw new DatasetFormatError(`question ${q.id} has ${q.options.length} options (needs 2 or more)`, file, line);
  const labels = new Set<string>();
  for (const o of q.options) {
    if (!o.label || labels.has(o.label))
      throw new DatasetFormatError(`question ${q.id} has a missing or repeated option label "${o.label}"`, file, line);
    labels.add(o.label);
  }
  if (!labels.has(q.answer)) {
    throw new DatasetFormatError(
      `question ${q.id}: answer "${q.answer}" is not one of its options (${[...labels].join(', ')})`,
      file,
      line,
    );
  }
  return q;
}

/** Lower-cased, whitespace-collapsed text, for matching the same question across files. */
export function normalizeText(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}
