import { InputFormatError } from '@kard/core';
import {
  type DuplicatePassageIdError,
  readPassages,
  type ReadPassagesOptions,
  type ReadStats,
} from '@kard/knowledge-base';

/**
 * A duplicate id as an error naming the file and line of both passages (rows are counted over all corpus files in
 * order); the lines are found by reading the files again, which costs nothing unless there is a duplicate.
 */
export async function duplicateAt(
  err: DuplicatePassageIdError,
  readers: { file: string; stats: ReadStats }[],
  options: ReadPassagesOptions,
): Promise<InputFormatError> {
  const locate = async (row: number): Promise<string> => {
    for (const r of readers) {
      if (row < r.stats.read) {
        const again = readPassages(r.file, options);
        for await (const _ of again) if (again.stats.read === row + 1) return `${r.file}:${again.stats.line}`;
      }
      row -= r.stats.read;
    }
    return `passage ${row + 1}`;
  };
  const [first, second] = err.rows;
  const at = await locate(second);
  const [file, line] = [at.slice(0, at.lastIndexOf(':')), Number(at.slice(at.lastIndexOf(':') + 1))];
  return new InputFormatError(
    file,
    line,
    `duplicate passage id ${JSON.stringify(err.id)} (first at ${await locate(first)}); ids must be unique: ` +
      `remove or rename one of them`,
    { cause: err },
  );
}
