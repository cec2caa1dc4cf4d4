import type { Passage } from '@kard/knowledge-base';
import type { McOption, McQuestion } from '../question';

/**
 * How an example is framed: `kard` (question + knowledge -> rationale + answer), `rd` (reasoning distillation
 * without knowledge: no Knowledge line) or `ft` (plain fine-tuning: the answer alone).
 */
export type PromptMode = 'kard' | 'rd' | 'ft';

/** Default instruction per dataset; any of them can be replaced through the `instruction` option. */
export const DEFAULT_INSTRUCTIONS: Record<string, string> = {
  strategyqa: 'Answer the following yes/no question by reasoning step by step.',
  creak: 'Decide whether the following claim is true by reasoning step by step.',
  medqa: 'Answer the following medical question by reasoning step by step.',
  obqa: 'Answer the following science question by reasoning step by step.',
  qasc: 'Answer the following science question by reasoning step by step.',
  ecqa: 'Answer the following commonsense question by reasoning step by step.',
  default: 'Answer the following question by reasoning step by step.',
};

export function instructionFor(dataset: string | undefined): string {
  return DEFAULT_INSTRUCTIONS[dataset ?? 'default'] ?? DEFAULT_INSTRUCTIONS.default;
}

/** "A. yes B. no" */
export function formatOptions(options: McOption[]): string {
  return options.map((o) => `${o.label}. ${o.text}`).join(' ');
}

/** How a passage reads inside the Knowledge line: "Title: text" when it has a title. */
export function formatPassage(p: Passage): string {
  return p.title ? `${p.title}: ${p.text}` : p.text;
}

/**
 * The student's input, KARD's format:
 * `{instruction}\nQuestion: {question} A. {opt} B. {opt}\nKnowledge: {passages}\nExplanation:`.
 * `rd` leaves the Knowledge line out; `ft` ends with `Answer:` instead of `Explanation:`.
 * `knowledge` is the already-rendered Knowledge text (see {@link formatPassage}).
 */
export function formatInput(
  instruction: string,
  q: Pick<McQuestion, 'question' | 'options'>,
  mode: PromptMode,
  knowledge = '',
): string {
  const head = `${instruction}\nQuestion: ${q.question} ${formatOptions(q.options)}`;
  if (mode === 'ft') return `${head}\nAnswer:`;
  if (mode === 'rd') return `${head}\nExplanation:`;
  return `${head}\nKnowledge: ${knowledge}\nExplanation:`;
}

/** The student's target: `{rationale}\nAnswer: {label}`, or the label alone for `ft`. */
export function formatTarget(mode: PromptMode, label: string, rationale = ''): string {
  return mode === 'ft' ? label : `${rationale.trim()}\nAnswer: ${label}`;
}

/**
 * What the student reads and writes for a question in every mode, apart from its knowledge and its rationale: the
 * inputs (with each mode's closing words) and the answer line. A trimmed vocabulary counts its pieces from these.
 */
export function promptTexts(instruction: string, q: Pick<McQuestion, 'question' | 'options' | 'answer'>): string[] {
  return [formatInput(instruction, q, 'kard'), formatInput(instruction, q, 'ft'), formatTarget('kard', q.answer)];
}
