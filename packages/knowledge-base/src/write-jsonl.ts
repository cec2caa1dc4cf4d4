import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Passage } from './passage';
import { createProgress, fillFileAtomic, OutputExistsError, type ProgressOption } from '@kard/core';
import { FileWriter } from './store/file-writer';

export interface WriteJsonlOptions extends ProgressOption {
  /** Replace an existing file (default false). */
  overwrite?: boolean;
}

/**
 * Writes passages as `{id, title, text}` JSONL (plus `contents` when present), atomically: a temp file renamed
 * into place when complete. Returns the number of passages written.
 */
export async function writePassagesJsonl(
  source: AsyncIterable<Passage> | Iterable<Passage>,
  file: string,
  options: WriteJsonlOptions = {},
): Promise<number> {
  if (existsSync(path.resolve(file)) && !options.overwrite)
    throw new OutputExistsError(
      file,
      'corpus file',
      'it exists',
      `${file} already exists; refusing to replace it. Pass --overwrite to replace it anyway.`,
    );
  const progress = createProgress({ label: 'jsonl', unit: 'passages', show: options.progress });
  let n = 0;
  try {
    await fillFileAtomic(file, async (tmp) => {
      const out = new FileWriter(tmp);
      try {
        for await (const p of source as AsyncIterable<Passage>) {
          out.writeString(JSON.stringify({ id: p.id, title: p.title, text: p.text, contents: p.contents }) + '\n');
          if ((++n & 1023) === 0) progress.update(n);
        }
        progress.update(n);
      } catch (err) {
        try {
          out.close();
        } catch {
          // the original error is the one to report
        }
        throw err;
      }
      out.close();
    });
    return n;
  } finally {
    progress.stop();
  }
}
