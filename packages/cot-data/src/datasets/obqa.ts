import { readFileSync } from 'node:fs';
import type { Passage } from '@kard/knowledge-base';
import { readJsonl } from '@kard/core';
import { readJson } from '../io';
import type { McOption, McQuestion } from '../question';
import { collect, fail, splitFromFile, type LoadOptions, type LoadedQuestions } from './load-result';

interface ObqaOfficialRecord {
  id?: string;
  question?: { stem?: string; choices?: Array<{ label?: string; text?: string }> };
  answerKey?: string;
  fact1?: string;
}

/** OpenBookQA's official jsonl: {id, question: {stem, choices: [{label, text}]}, answerKey, fact1?}. */
export function loadObqa(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const split = splitFromFile(file, opts);
  const records = readJsonl<ObqaOfficialRecord>(file).map((record, i) => ({ line: i + 1, record }));
  return collect(
    file,
    records,
    (r, line): McQuestion => {
      if (typeof r.question?.stem !== 'string') fail('record lacks question.stem', file, line);
      const choices = r.question.choices ?? [];
      return {
        id: r.id ?? `obqa-${split}-${line - 1}`,
        question: r.question.stem,
        options: fourChoices(
          choices.map((c) => ({ label: String(c.label ?? ''), text: String(c.text ?? '') })),
          file,
          line,
        ),
        answer: String(r.answerKey ?? ''),
        split,
        meta: r.fact1 ? { fact: r.fact1 } : {},
      };
    },
    opts,
  );
}

/**
 * Every OpenBookQA question has exactly the choices A, B, C, D: anything else is a broken or foreign file, and
 * an error naming its line rather than a question the student would be scored on with the wrong options.
 */
function fourChoices(options: McOption[], file: string, line: number): McOption[] {
  const labels = options.map((o) => o.label).join(',');
  if (labels !== 'A,B,C,D')
    fail(`OpenBookQA choices must be the 4 labels A,B,C,D in order; found ${options.length}: [${labels}]`, file, line);
  return options;
}

interface ObqaStagedRecord {
  id?: string;
  instruction?: string;
  problem?: { question?: string; choices?: Array<{ choice_text?: string; choice_label?: string }> };
  cot?: string;
  answer?: string;
}

/** The OpenBookQA JSON shipped in datasets/obqa: [{problem: {question, choices}, cot, answer}]. */
export function loadObqaStaged(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const data = readJson<ObqaStagedRecord[]>(file);
  if (!Array.isArray(data)) fail('OpenBookQA JSON must hold an array', file, 1);
  const split = splitFromFile(file, opts);
  const records = data.map((record, i) => ({ line: i + 1, record }));
  return collect(
    file,
    records,
    (r, line): McQuestion => {
      if (typeof r.problem?.question !== 'string') fail('record lacks problem.question', file, line);
      return {
        id: r.id ?? `obqa-${split}-${line - 1}`,
        question: r.problem.question,
        options: fourChoices(
          (r.problem.choices ?? []).map((c) => ({
            label: String(c.choice_label ?? ''),
            text: String(c.choice_text ?? ''),
          })),
          file,
          line,
        ),
        answer: String(r.answer ?? ''),
        split,
        meta: r.cot ? { fact: r.cot } : {},
      };
    },
    opts,
  );
}

/** OpenBookQA's open-book science facts (one fact a line, optionally JSON-quoted) as passages `openbook-N`. */
export function loadOpenbookFacts(file: string): Passage[] {
  const passages: Passage[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      let text = line;
      if (line.startsWith('"')) {
        try {
          text = JSON.parse(line) as string;
        } catch {
          fail('malformed quoted fact', file, i + 1);
        }
      }
      passages.push({ id: `openbook-${passages.length}`, text });
    });
  return passages;
}
