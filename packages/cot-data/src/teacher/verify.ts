import type { McQuestion } from '../question';
import { parseAnswer, statedAnswer, stripFinalAnswer } from './answer';
import type { TeacherMode } from './generate';
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
  /** Answer parsed but wrong (in `rationalise` mode: the explanation argues for another option than the gold one). */
  wrong: number;
  /** No answer could be parsed from the text (`answer` mode only). */
  parseFailures: number;
  /**
   * No explanation in the text: empty, or nothing left once an "Explanation:" label and the closing answer sentence
   * are taken off (`rationalise` mode only; kept out).
   */
  noExplanation: number;
  /** Rationales of questions not loaded. */
  unknownQuestion: number;
  /** Questions with at least one kept rationale. */
  questionsWithKept: number;
  /** kept / total. */
  accuracy: number;
}

/**
 * The filter between teacher and student.
 * - `answer` mode (a teacher that answered on its own): keep only the rationales whose final answer matches the
 *   gold one. The answer is the teacher's separate answer when the source has one (FLAN), else parsed from the text.
 * - `rationalise` mode (a teacher shown the gold answer, KARD's): keep every rationale that holds an explanation and
 *   does not state another answer than the gold one. An explanation that states none is kept (the teacher was told
 *   the answer); one that contradicts the gold label is counted in `wrong` and kept out, as KARD's verifier would
 *   drop it; one with no explanation is counted in `noExplanation` and kept out.
 */
export function verifyRationales(
  questions: McQuestion[],
  rationales: Rationale[],
  mode: TeacherMode = 'answer',
): { kept: VerifiedRationale[]; report: VerifyReport } {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const kept: VerifiedRationale[] = [];
  const report: VerifyReport = {
    total: rationales.length,
    kept: 0,
    wrong: 0,
    parseFailures: 0,
    noExplanation: 0,
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
    if (mode === 'rationalise') {
      const text = explanationOf(r.text);
      const stated =
        (r.answerText !== undefined ? parseAnswer(r.answerText, q.options) : undefined) ??
        statedAnswer(r.text, q.options);
      if (!/[\p{L}\p{N}]/u.test(stripFinalAnswer(text))) report.noExplanation++;
      else if (stated !== undefined && stated !== q.answer) report.wrong++;
      else {
        kept.push({ ...r, text, label: q.answer });
        withKept.add(q.id);
      }
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

/** A teacher's explanation without the "Explanation:" label a completion may repeat from the prompt. */
export function explanationOf(content: string): string {
  return content.replace(/^\s*explanation\s*:\s*/i, '').trim();
}
