import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Passage } from './passage';
import { Progress, type ProgressOption } from './progress';
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
  const target = path.resolve(file);
  if (existsSync(target) && !options.overwrite) throw new Error(`${file} already exists (pass overwrite to replace it)`);
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const out = new FileWriter(tmp);
  const progress = new Progress('jsonl', undefined, options.progress);
  let n = 0;
  try {
    for await (const p of source as AsyncIterable<Passage>) {
      out.writeString(JSON.stringify({ id: p.id, title: p.title, text: p.text, contents: p.contents }) + '\n');
      if ((++n & 1023) === 0) progress.update(n);
    }
    progress.update(n);
    out.close();
    renameSync(tmp, target);
    return n;
  } catch (err) {
    try {
      out.close();
    } catch {
      // the original error is the one to report
    }
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    progress.stop();
  }
}
