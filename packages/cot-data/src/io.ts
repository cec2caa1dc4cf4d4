import { readFileSync } from 'node:fs';
import { DatasetFormatError } from './errors';

export function readJson<T = unknown>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw new DatasetFormatError(`malformed JSON: ${(e as Error).message}`, file);
  }
}
