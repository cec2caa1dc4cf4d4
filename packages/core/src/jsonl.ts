// JSON Lines: one JSON value per line. Blank lines are skipped; every other line must parse, and a bad one is an
// InputFormatError naming the file and its 1-based line.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import { InputFormatError } from './errors';

/** One parsed line and where it came from, for errors about its content that the caller finds later. */
export interface JsonlEntry<T> {
  /** 1-based line number in the file. */
  line: number;
  value: T;
}

/** Parses JSONL text; `file` is only used to name the place of an error. */
export function parseJsonlEntries<T = unknown>(text: string, file: string): JsonlEntry<T>[] {
  const out: JsonlEntry<T>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(line) as T });
    } catch (err) {
      throw new InputFormatError(file, i + 1, `malformed JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

/** Reads a JSONL file with each value's line number. */
export function readJsonlEntries<T = unknown>(file: string): JsonlEntry<T>[] {
  return parseJsonlEntries<T>(readFileSync(file, 'utf8'), file);
}

/** Reads a JSONL file as an array of values (blank lines skipped). */
export function readJsonl<T = unknown>(file: string): T[] {
  return readJsonlEntries<T>(file).map((e) => e.value);
}

/** The JSONL text of `records`: one `JSON.stringify` per line, each line ending in a newline. */
export function toJsonl(records: Iterable<unknown>): string {
  let text = '';
  for (const r of records) text += JSON.stringify(r) + '\n';
  return text;
}

/** Writes `records` as JSONL, atomically (see `writeFileAtomic`). */
export function writeJsonl(file: string, records: Iterable<unknown>): void {
  writeFileAtomic(file, toJsonl(records));
}
