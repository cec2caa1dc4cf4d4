import type { Passage } from '@kard/knowledge-base';
import type { McQuestion } from '../question';
import { formatInput, formatPassage, type PromptMode } from './prompt';

/** Counts tokens as the student will see them (special tokens such as T5's </s> included). */
export interface TokenCounter {
  count(text: string): number;
  /** Where the tokenizer came from, for the manifest. */
  readonly name: string;
}

export { loadTokenCounter } from './token-counter';

export interface FittedInput {
  input: string;
  /** Tokens in `input`. */
  tokens: number;
  /** Passages (whole or cut) that made it into the input. */
  passagesUsed: number;
  /** True when any passage text was dropped to fit. */
  truncated: boolean;
  /** True when even without knowledge the input is longer than the budget (question and options are never cut). */
  overBudget: boolean;
}

/**
 * Builds the input and fits it to `maxTokens` by cutting knowledge only: whole passages are dropped from the
 * end, then the last one that still fits partly is cut word by word to the longest prefix that fits.
 * The instruction, question and options are never touched.
 */
export function fitInput(
  instruction: string,
  q: Pick<McQuestion, 'question' | 'options'>,
  mode: PromptMode,
  passages: Passage[],
  counter: TokenCounter,
  maxTokens: number,
): FittedInput {
  const texts = mode === 'kard' ? passages.map(formatPassage) : [];
  const build = (parts: string[]) => formatInput(instruction, q, mode, parts.join(' '));
  const full = build(texts);
  const fullTokens = counter.count(full);
  if (fullTokens <= maxTokens)
    return { input: full, tokens: fullTokens, passagesUsed: texts.length, truncated: false, overBudget: false };

  // Largest number of whole passages that fits (token count grows with each passage added).
  let whole = 0;
  let tokens = counter.count(build([]));
  if (tokens > maxTokens)
    return { input: build([]), tokens, passagesUsed: 0, truncated: texts.length > 0, overBudget: true };
  while (whole < texts.length) {
    const t = counter.count(build(texts.slice(0, whole + 1)));
    if (t > maxTokens) break;
    whole++;
    tokens = t;
  }
  // Longest word prefix of the next passage that still fits: binary search over the word count.
  const words = texts[whole].split(/\s+/).filter(Boolean);
  let lo = 0;
  let hi = words.length - 1;
  let bestTokens = tokens;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const t = counter.count(build([...texts.slice(0, whole), words.slice(0, mid).join(' ')]));
    if (t <= maxTokens) {
      lo = mid;
      bestTokens = t;
    } else hi = mid - 1;
  }
  const parts = lo > 0 ? [...texts.slice(0, whole), words.slice(0, lo).join(' ')] : texts.slice(0, whole);
  return {
    input: build(parts),
    tokens: lo > 0 ? bestTokens : tokens,
    passagesUsed: parts.length,
    truncated: true,
    overBudget: false,
  };
}
