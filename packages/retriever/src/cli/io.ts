import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputFileError } from '@kard/knowledge-base';
import { InvalidArgumentError } from 'commander';
import type { CorpusFileInfo } from '../sparse';

/** Where the CLI prints: the process's streams, or a test's buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Size and sha256 of a corpus file, streamed, for the index manifest. */
export async function describeFile(file: string): Promise<CorpusFileInfo> {
  let bytes: number;
  try {
    bytes = fs.statSync(file).size;
  } catch (err) {
    throw new InputFileError(file, 'no such file', { cause: err });
  }
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return { path: path.resolve(file), bytes, sha256: hash.digest('hex') };
}

export function parseNumber(name: string, min: number, max: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(
        `${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}
