import { DatasetFormatError } from '../errors';
import { checkQuestion, type McQuestion } from '../question';

/** A record a loader left out, with why. */
export interface SkippedRecord {
  file: string;
  line: number;
  reason: string;
}

export interface LoadedQuestions {
  questions: McQuestion[];
  skipped: SkippedRecord[];
}

export interface LoadOptions {
  /** Split name stored on each question; defaults to the file's base name ("train", "dev", ...). */
  split?: string;
  /** `'error'` (default) throws on the first bad record; `'skip'` leaves it out and counts it. */
  onInvalid?: 'error' | 'skip';
}

/**
 * Collects questions from a loader's records, checking each one. `build` may throw a DatasetFormatError
 * itself (missing field); either kind of failure is thrown or counted, as `onInvalid` says.
 */
export function collect<R>(
  file: string,
  records: Array<{ line: number; record: R }>,
  build: (r: R, line: number) => McQuestion,
  opts: LoadOptions,
): LoadedQuestions {
  const questions: McQuestion[] = [];
  const skipped: SkippedRecord[] = [];
  for (const { line, record } of records) {
    try {
      questions.push(checkQuestion(build(record, line), file, line));
    } catch (e) {
      if (!(e instanceof DatasetFormatError) || opts.onInvalid !== 'skip') throw e;
      skipped.push({ file, line, reason: e.message });
    }
  }
  return { questions, skipped };
}

export function splitFromFile(file: string, opts: LoadOptions): string {
  if (opts.split) return opts.split;
  const base = file.split(/[\\/]/).pop() ?? file;
  const stem = base.replace(/\.(jsonl|json|tsv|txt)$/, '');
  return /(train|dev|test|validation)$/.exec(stem)?.[1] ?? stem;
}

export function fail(message: string, file: string, line: number): never {
  throw new DatasetFormatError(message, file, line);
}
