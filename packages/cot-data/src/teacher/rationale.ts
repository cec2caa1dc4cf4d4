import { normalizeText, type McQuestion } from '../question';

/** A teacher rationale as read from a file, before it is tied to a loaded question. */
export interface ImportedRationale {
  /** The question's id when the source names it (tried first). */
  questionId?: string;
  /**
   * The question's 0-based position in its question file, when the source only has that (the reference's response
   * folder, `00042.json` for the 43rd question).
   */
  questionIndex?: number;
  /** The question's text (FLAN TSV, zero-shot-CoT logs): matched after normalising when the id does not match. */
  question?: string;
  text: string;
  /** The teacher's answer when the source gives it apart from the text (FLAN's answer column). */
  answerText?: string;
  source: string;
}

/** A rationale tied to a question: the `sample`-th of its rationales. */
export interface Rationale {
  questionId: string;
  sample: number;
  text: string;
  answerText?: string;
  source: string;
}

export interface AttachResult {
  rationales: Rationale[];
  /** Imported rationales whose question is not among the loaded ones. */
  unmatched: number;
}

/**
 * Ties imported rationales to loaded questions, by id when the source has one, else by position in the question
 * file (`questions` must then be every record of the file, in order), else by normalised question
 * text. When several loaded questions share a text (StrategyQA has such twins), successive rationales with that
 * text go to them in turn, so row-aligned sources (FLAN, zero-shot-CoT logs) map one to one. Rationales of
 * questions that are not loaded are counted, not kept.
 */
export function attachRationales(questions: McQuestion[], imported: ImportedRationale[]): AttachResult {
  const ids = new Set(questions.map((q) => q.id));
  const byText = new Map<string, string[]>();
  for (const q of questions) {
    const key = normalizeText(q.question);
    byText.set(key, [...(byText.get(key) ?? []), q.id]);
  }
  const seenText = new Map<string, number>();
  const perQuestion = new Map<string, number>();
  const rationales: Rationale[] = [];
  let unmatched = 0;
  for (const r of imported) {
    let id: string | undefined;
    if (r.questionId !== undefined && ids.has(r.questionId)) id = r.questionId;
    else if (r.questionIndex !== undefined) id = questions[r.questionIndex]?.id;
    else if (r.question !== undefined) {
      const key = normalizeText(r.question);
      const twins = byText.get(key);
      const seen = seenText.get(key) ?? 0;
      seenText.set(key, seen + 1);
      id = twins?.[seen % twins.length];
    }
    if (id === undefined) {
      unmatched++;
      continue;
    }
    const sample = perQuestion.get(id) ?? 0;
    perQuestion.set(id, sample + 1);
    rationales.push({ questionId: id, sample, text: r.text, answerText: r.answerText, source: r.source });
  }
  return { rationales, unmatched };
}
