import type { McOption } from '../question';

// "Answer: B", "the answer is yes", "the answer (Yes or No) is No", "answer would be (C)".
const TRIGGER = /\banswer\s*(?:\([^)\n]*\)\s*)?(?:is\b|:|would be\b|=)\s*:?/gi;
const STRICT_LABEL = /^\(([A-Z])\)|^([A-Z])(?=[.):,;]|\s*$)/;

/**
 * Where the final answer is in free text: everything after the last answer trigger (the answer may follow on
 * the next lines, "is:\n\nYes, ..."), as zero-shot-CoT's own answer cleansing reads it.
 */
function answerSpan(text: string): { span: string; triggerAt: number } | undefined {
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(TRIGGER)) last = m as RegExpExecArray;
  if (!last) return undefined;
  return { span: text.slice(last.index + last[0].length), triggerAt: last.index };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The option a short answer names: "(B)", "B.", or the earliest option text in it (longest on ties). */
export function matchOption(span: string, options: McOption[]): string | undefined {
  const s = span.trim().replace(/^[\s"'*`]+/, '');
  const strict = STRICT_LABEL.exec(s);
  const label = strict?.[1] ?? strict?.[2];
  if (label && options.some((o) => o.label === label)) return label;
  let best: { at: number; len: number; label: string } | undefined;
  for (const o of options) {
    const candidates = [`(${o.label})`, o.text.trim()].filter(Boolean);
    for (const c of candidates) {
      const re = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(c)}(?![\\p{L}\\p{N}])`, 'iu');
      const m = re.exec(s);
      if (m && (!best || m.index < best.at || (m.index === best.at && c.length > best.len)))
        best = { at: m.index, len: c.length, label: o.label };
    }
  }
  return best?.label;
}

/**
 * The option label a teacher's (or student's) free text ends with, or undefined when it cannot be told.
 * Reads the span after the last "answer is" / "Answer:" trigger; text with no trigger counts only when it is
 * short enough to be an answer by itself ("B", "yes", "(C) sleep").
 */
export function parseAnswer(text: string, options: McOption[]): string | undefined {
  const found = answerSpan(text);
  if (found) return matchOption(found.span, options);
  const bare = text.trim();
  if (bare.length > 0 && bare.split(/\s+/).length <= 8) return matchOption(bare, options);
  return undefined;
}

/**
 * The answer a text states after an answer trigger ("... So, the answer is (C)"), or undefined when it states none.
 * Unlike {@link parseAnswer}, a short text without a trigger is not read as an answer: a one-line explanation ("A
 * greenhouse protects plants from the cold") names options without choosing one.
 */
export function statedAnswer(text: string, options: McOption[]): string | undefined {
  const found = answerSpan(text);
  return found ? matchOption(found.span, options) : undefined;
}

/** Longest tail after the last trigger that {@link stripFinalAnswer} treats as a closing answer sentence. */
const MAX_ANSWER_TAIL = 200;

/**
 * The rationale without its closing answer sentence ("... Therefore, the answer (Yes or No) is No."), so the
 * training target can state the answer once, in its own "Answer:" line. Text without a short final answer
 * after its last trigger is kept whole.
 */
export function stripFinalAnswer(text: string): string {
  const found = answerSpan(text);
  if (!found || found.span.trim().length > MAX_ANSWER_TAIL) return text.trim();
  const before = text.slice(0, found.triggerAt);
  const cut = Math.max(
    before.lastIndexOf('.'),
    before.lastIndexOf('!'),
    before.lastIndexOf('?'),
    before.lastIndexOf('\n'),
  );
  return text.slice(0, cut + 1).trim();
}
