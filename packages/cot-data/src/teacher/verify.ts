import type { McQuestion } from '../question';
import { parseAnswer } from './answer';
import type { Rationale } from './rationale';

/** A rationale whose final answer was parsed (as `label`). */
export interface VerifiedRationale extends Rationale {
  label: string;
}

export interface VerifyReport {
  /** Rationales looked at. */
  total: number;
  /** Answer parsed and equal to the gold one: kept. */
  kept: number;
  /** Answer parsed but wrong. */
  wrong: number;
  /** No answer could be parsed from the text. */
  parseFailures: number;
  /** Rationales of questions not loaded. */
  unknownQuestion: number;
  /** Questions with at least one kept rationale. */
  questionsWithKept: number;
  /** kept / total. */
  accuracy: number;
}

/**
 * KARD's filter: keep only the rationales whose final answer matches the gold one. The answer is the teacher's
 * separate answer when the source has one (FLAN), else parsed from the rationale's text.
 */
export function verifyRationales(
  questions: McQuestion[],
  rationales: Rationale[],
): { kept: VerifiedRationale[]; report: VerifyReport } {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const kept: VerifiedRationale[] = [];
  const report: VerifyReport = {
    total: rationales.length,
    kept: 0,
    wrong: 0,
    parseFailures: 0,
    unknownQuestion: 0,
    questionsWithKept: 0,
    accuracy: 0,
  };
  const withKept = new Set<string>();
  for (const r of rationales) {
    const q = byId.get(r.questionId);
    if (!q) {
      report.unknownQuestion++;
      continue;
    }
    const label =
      (r.answerText !== undefined ? parseAnswer(r.answerText, q.options) : undefined) ?? parseAnswer(r.text, q.options);
    if (label === undefined) report.parseFailures++;
    else if (label !== q.answer) report.wrong++;
    else {
      kept.push({ ...r, label });
      withKept.add(q.id);
    }
  }
  report.kept = kept.length;
  report.questionsWithKept = withKept.size;
  report.accuracy = report.total ? report.kept / report.total : 0;
  return { kept, report };
}
