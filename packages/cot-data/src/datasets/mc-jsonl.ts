import { readJsonl } from '@kard/core';
import { LABELS, labelOptions, type McOption, type McQuestion } from '../question';
import { collect, fail, splitFromFile, type LoadOptions, type LoadedQuestions } from './load-result';

interface McJsonlRecord {
  id?: string | number;
  question?: string;
  options?: Array<{ label?: string; text?: string } | string> | Record<string, string>;
  answer?: string | number;
  split?: string;
  meta?: Record<string, unknown>;
}

/**
 * A generic multiple-choice JSONL, one question a line:
 * `{id, question, options, answer, split?, meta?}` where `options` is `[{label, text}]`, `["text", ...]`
 * (labelled A, B, ...) or `{A: text, ...}`, and `answer` is a label, a 0-based index or an option's text.
 */
export function loadMcJsonl(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const split = splitFromFile(file, opts);
  const records = readJsonl<McJsonlRecord>(file).map((record, i) => ({ line: i + 1, record }));
  return collect(
    file,
    records,
    (r, line): McQuestion => {
      if (typeof r.question !== 'string') fail('record lacks a question', file, line);
      const options = toOptions(r.options);
      return {
        id: r.id !== undefined ? String(r.id) : `${split}-${line - 1}`,
        question: r.question,
        options,
        answer: toLabel(r.answer, options),
        split: r.split ?? split,
        meta: r.meta ?? {},
      };
    },
    opts,
  );
}

function toOptions(raw: McJsonlRecord['options']): McOption[] {
  if (!raw) return [];
  if (Array.isArray(raw)) {
    if (raw.every((o) => typeof o === 'string')) return labelOptions(raw as string[]);
    return raw.map((o, i) =>
      typeof o === 'string'
        ? { label: LABELS[i], text: o }
        : { label: String(o.label ?? LABELS[i]), text: String(o.text ?? '') },
    );
  }
  return Object.keys(raw)
    .sort()
    .map((label) => ({ label, text: String(raw[label]) }));
}

function toLabel(answer: McJsonlRecord['answer'], options: McOption[]): string {
  if (typeof answer === 'number') return options[answer]?.label ?? `#${answer}`;
  const a = String(answer ?? '').trim();
  if (options.some((o) => o.label === a)) return a;
  return options.find((o) => o.text.toLowerCase() === a.toLowerCase())?.label ?? a;
}
