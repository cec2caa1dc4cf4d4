import { readFileSync } from 'node:fs';
import { flanQuestionId, parseFlanCotRow } from '../datasets/flan-cot';
import { splitFromFile } from '../datasets/load-result';
import { DatasetFormatError } from '../errors';
import { readJsonl } from '@kard/core';
import { importChatResponses } from './chat-responses';
import { importGenerationCache } from './generate';
import { loadQuestions } from '../datasets/load';
import type { ImportedRationale } from './rationale';

/**
 * FLAN CoT TSV (`question\tanswer\trationale`): one rationale per row, carrying both the question's text (to
 * match official question files such as StrategyQA's) and the id {@link loadFlanCot} gives the same row.
 */
export function importFlanCot(file: string, split = splitFromFile(file, {})): ImportedRationale[] {
  const out: ImportedRationale[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      if (!raw.trim()) return;
      const row = parseFlanCotRow(raw, file, i + 1);
      out.push({
        questionId: flanQuestionId(file, split, out.length),
        question: row.question,
        text: row.rationale,
        answerText: row.answerText,
        source: 'flan-cot',
      });
    });
  return out;
}

/** Generic JSONL `{id, rationales: ["...", ...]}` (or `rationale: "..."`), one or many per question. */
export function importRationaleJsonl(file: string): ImportedRationale[] {
  const out: ImportedRationale[] = [];
  readJsonl<{ id?: unknown; rationales?: unknown; rationale?: unknown }>(file).forEach((r, i) => {
    const list = r.rationales ?? (r.rationale !== undefined ? [r.rationale] : undefined);
    if (r.id === undefined || !Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
      throw new DatasetFormatError('expected {id, rationales: [string, ...]}', file, i + 1);
    }
    for (const text of list as string[]) out.push({ questionId: String(r.id), text, source: 'jsonl' });
  });
  return out;
}

/** One answer of a zero-shot-CoT log (kojima-takeshi188/zero_shot_cot). */
export interface ZeroShotCotRecord {
  /** 1-based position in the log. */
  index: number;
  question: string;
  /** The teacher's text after "Let's think step by step.", its final "Therefore, the answer ..." line included. */
  rationale: string;
  /** The log's gold answer ("GT : yes"). */
  gold: string;
  /** The log's own parsed prediction ("pred_mode : no"), kept to compare parsers. */
  predMode: string;
}

/**
 * Reads a zero-shot-CoT log: blocks of "Q: ...", "A: ..." (several lines), "pred_before/after/list/mode : ...",
 * "GT : ...". A block without Q, A or GT is a format error naming its line.
 */
export function readZeroShotCotLog(file: string): ZeroShotCotRecord[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: ZeroShotCotRecord[] = [];
  let cur: { line: number; question?: string; answer: string[]; inAnswer: boolean; predMode?: string } | undefined;
  lines.forEach((line, i) => {
    if (line.startsWith('Q: ')) {
      if (cur) throw new DatasetFormatError('a "Q:" block ended without "GT :"', file, cur.line);
      cur = { line: i + 1, question: line.slice(3).trim(), answer: [], inAnswer: false };
    } else if (!cur) {
      return;
    } else if (line.startsWith('A: ') && cur.answer.length === 0 && !cur.inAnswer) {
      cur.inAnswer = true;
      cur.answer.push(line.slice(3));
    } else if (/^pred_\w+ :/.test(line)) {
      cur.inAnswer = false;
      const m = /^pred_mode : ?(.*)$/.exec(line);
      if (m) cur.predMode = m[1].trim();
    } else if (line.startsWith('GT : ')) {
      if (cur.answer.length === 0) throw new DatasetFormatError('block has no "A:" answer', file, i + 1);
      const text = cur.answer
        .join('\n')
        .replace(/^\s*Let's think step by step\.\s*/, '')
        .trim();
      out.push({
        index: out.length + 1,
        question: cur.question!,
        rationale: text,
        gold: line.slice(5).trim(),
        predMode: cur.predMode ?? '',
      });
      cur = undefined;
    } else if (cur.inAnswer) {
      cur.answer.push(line);
    }
  });
  if (cur) throw new DatasetFormatError('log ends inside a "Q:" block', file, cur.line);
  return out;
}

/** A zero-shot-CoT log as rationales matched by question text. */
export function importZeroShotCotLog(file: string): ImportedRationale[] {
  return readZeroShotCotLog(file).map((r) => ({ question: r.question, text: r.rationale, source: 'zero-shot-cot' }));
}

/**
 * The gold fact a question file carries with each question (OpenBookQA's `cot` in the shipped JSON, `fact1` in its
 * official jsonl) as that question's one rationale: OpenBookQA trained on its open book's facts.
 */
export function importDatasetFacts(file: string): ImportedRationale[] {
  return loadQuestions(file, { onInvalid: 'skip' }).questions.flatMap((q) =>
    typeof q.meta.fact === 'string' && q.meta.fact.trim()
      ? [{ questionId: q.id, text: q.meta.fact, source: 'fact' }]
      : [],
  );
}

export const RATIONALE_FORMATS = [
  'flan-cot',
  'jsonl',
  'zero-shot-cot',
  'generation-cache',
  'chat-responses',
  'dataset-fact',
] as const;
export type RationaleFormat = (typeof RATIONALE_FORMATS)[number];

/**
 * Imports a rationale file of any supported format; an unknown format is an error listing the known ones.
 * `maxPerQuestion` keeps the first rationales of each question of a generation cache (its `n`).
 */
export function importRationales(
  file: string,
  format: RationaleFormat,
  opts: { maxPerQuestion?: number } = {},
): ImportedRationale[] {
  switch (format) {
    case 'flan-cot':
      return importFlanCot(file);
    case 'jsonl':
      return importRationaleJsonl(file);
    case 'zero-shot-cot':
      return importZeroShotCotLog(file);
    case 'generation-cache':
      return importGenerationCache(file, opts);
    case 'chat-responses':
      return importChatResponses(file);
    case 'dataset-fact':
      return importDatasetFacts(file);
    default:
      throw new DatasetFormatError(
        `unknown rationale format "${format as string}" (known: ${RATIONALE_FORMATS.join(', ')})`,
        file,
      );
  }
}
