import { Rng } from '@kard/core';
import { formatOptions } from '../examples/prompt';
import type { McQuestion } from '../question';
import type { ChatMessage } from './endpoint';

/** A solved training question shown to the teacher. */
export interface Demonstration {
  question: McQuestion;
  rationale: string;
}

const SYSTEM =
  'You answer multiple-choice questions. Reason step by step in a short explanation, then give the final answer on ' +
  'its own line as "Answer: <letter>".';

/** `k` demonstrations drawn, seeded, from questions that have rationales. */
export function pickDemonstrations(pool: Demonstration[], k: number, seed: number): Demonstration[] {
  return new Rng(seed).shuffle([...pool]).slice(0, k);
}

/**
 * The few-shot chain-of-thought prompt: each demonstration as "Question / Explanation / Answer", then the
 * asked question ending in "Explanation:". A demonstration of the asked question itself is left out.
 */
export function fewShotMessages(q: McQuestion, demos: Demonstration[], instruction?: string): ChatMessage[] {
  const block = (d: McQuestion) => `Question: ${d.question} ${formatOptions(d.options)}`;
  const shots = demos
    .filter((d) => d.question.id !== q.id)
    .map((d) => `${block(d.question)}\nExplanation: ${d.rationale.trim()}\nAnswer: ${d.question.answer}`);
  const user = [...(instruction ? [instruction] : []), ...shots, `${block(q)}\nExplanation:`].join('\n\n');
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: user },
  ];
}

/** "Question: ...\n(A) ... (B) ...\nAnswer: (C)\nExplanation: ", one block of the rationalisation prompt. */
function solvedBlock(q: McQuestion): string {
  const options = q.options.map((o) => `(${o.label}) ${o.text}`).join(' ');
  return `Question: ${q.question}\n${options}\nAnswer: (${q.answer})\nExplanation: `;
}

/**
 * The reference's rationalisation prompt (KARD's generate_explanations.py): one user message holding the
 * instruction, the solved demonstrations ("Question / (A) .. (D) / Answer: (X) / Explanation: ..." each followed by
 * a blank line) and the asked question with its gold answer, ending in "Explanation: ". The teacher is told the
 * answer and only explains it. A demonstration of the asked question itself is left out.
 */
export function rationalisationMessages(
  q: McQuestion,
  template: { instruction: string; demonstrations: Demonstration[] },
): ChatMessage[] {
  const shots = template.demonstrations
    .filter((d) => d.question.id !== q.id)
    .map((d) => `${solvedBlock(d.question)}${d.rationale.trim()}\n\n`)
    .join('');
  return [{ role: 'user', content: `${template.instruction}\n\n${shots}${solvedBlock(q)}` }];
}
