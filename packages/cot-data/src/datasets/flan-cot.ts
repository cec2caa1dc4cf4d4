import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LABELS, YES_NO, type McOption, type McQuestion } from '../question';
import { collect, fail, splitFromFile, type LoadOptions, type LoadedQuestions } from './load-result';

/** One row of FLAN's CoT TSV, split apart: `question\tanswer\trationale`, `\n` written as backslash-n. */
export interface FlanCotRow {
  line: number;
  /** The question without its options block, escaped newlines turned into spaces. */
  question: string;
  options: McOption[];
  /** The answer column as written: "(D)", "bloody mess", "yes". */
  answerText: string;
  /** The answer column resolved to an option label, or undefined when it names none of them. */
  answer?: string;
  rationale: string;
}

const OPTION_LINE = /^-\s*(?:\(([A-Z])\)\s*)?(.*)$/;

/**
 * Splits FLAN's "stem\nOptions:\n- (A) x\n- (B) y" (or unlabelled "- x") question field. Questions without an
 * options block whose answer is yes or no (StrategyQA) get the yes/no options.
 */
export function parseFlanCotRow(raw: string, file: string, line: number): FlanCotRow {
  const cols = raw.split('\t');
  if (cols.length < 3) fail(`expected question<TAB>answer<TAB>rationale, found ${cols.length} column(s)`, file, line);
  const [questionField, answerText, ...rest] = cols;
  const rationale = rest.join('\t').trim();
  const text = questionField.replace(/\\n/g, '\n');
  const at = text.search(/\nOptions:\n/);
  const stem = (at >= 0 ? text.slice(0, at) : text).replace(/\n/g, ' ').trim();
  let options: McOption[];
  if (at >= 0) {
    const lines = text
      .slice(at)
      .split('\n')
      .slice(2)
      .map((l) => l.trim())
      .filter(Boolean);
    options = lines.map((l, i) => {
      const m = OPTION_LINE.exec(l);
      if (!m) fail(`option line "${l}" does not start with "- "`, file, line);
      return { label: m[1] ?? LABELS[i], text: m[2].trim() };
    });
  } else if (/^(yes|no)$/i.test(answerText.trim())) {
    options = YES_NO;
  } else {
    options = [];
  }
  const a = answerText.trim();
  const byLabel = /^\(?([A-Z])\)?$/.exec(a)?.[1];
  const answer =
    options.find((o) => o.label === byLabel)?.label ??
    options.find((o) => o.text.toLowerCase() === a.toLowerCase())?.label;
  return { line, question: stem, options, answerText: a, answer, rationale };
}

/** All rows of a FLAN CoT TSV file (blank lines ignored). */
export function readFlanCotRows(file: string): FlanCotRow[] {
  const rows: FlanCotRow[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      if (raw.trim()) rows.push(parseFlanCotRow(raw, file, i + 1));
    });
  return rows;
}

/** The dataset a FLAN CoT file holds, from its name: "qasc_train.tsv" -> "qasc". */
export function flanDatasetName(file: string): string {
  return path.basename(file).replace(/_(train|dev|test)?\.tsv$|\.tsv$/, '');
}

/** Question id of a FLAN row: `{dataset}-{split}-{row index}`, shared by the loader and the rationale import. */
export function flanQuestionId(file: string, split: string, index: number): string {
  return `${flanDatasetName(file)}-${split}-${index}`;
}

/**
 * QASC / ECQA / CREAK (and StrategyQA) questions from FLAN's CoT TSV. Unlabelled options get A, B, ... in
 * order; CREAK's claims get A yes / B no. The FLAN rationale is kept in `meta.rationale`.
 */
export function loadFlanCot(file: string, opts: LoadOptions = {}): LoadedQuestions {
  const split = splitFromFile(file, opts);
  const raw = readFileSync(file, 'utf8').split('\n');
  const records: Array<{ line: number; record: string }> = [];
  raw.forEach((record, i) => {
    if (record.trim()) records.push({ line: i + 1, record });
  });
  let index = 0;
  return collect(
    file,
    records,
    (record, line): McQuestion => {
      const id = flanQuestionId(file, split, index++);
      const row = parseFlanCotRow(record, file, line);
      const options = isYesNo(row.options) ? YES_NO : row.options;
      const answer = row.answer ?? fail(`answer "${row.answerText}" is not one of the options`, file, line);
      return { id, question: row.question, options, answer, split, meta: { rationale: row.rationale } };
    },
    opts,
  );
}

function isYesNo(options: McOption[]): boolean {
  return options.length === 2 && options[0].text.toLowerCase() === 'yes' && options[1].text.toLowerCase() === 'no';
}
