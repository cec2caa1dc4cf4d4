import { InputFormatError, readJsonFile } from '@kard/core';
import { DatasetFormatError } from './errors';

/** A dataset's JSON file; malformed JSON is a DatasetFormatError naming the file and the line. */
export function readJson<T = unknown>(file: string): T {
  try {
    return readJsonFile<T>(file);
  } catch (e) {
    if (e instanceof InputFormatError) throw new DatasetFormatError(e.reason, file, e.line || undefined);
    throw e;
  }
}
