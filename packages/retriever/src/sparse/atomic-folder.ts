import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Fills a fresh temporary folder next to `dir` with `write`, then renames it to `dir` (replacing an existing
 * folder by moving it aside first). If `write` throws, the temporary folder is removed and `dir` is untouched.
 */
export async function writeFolderAtomically(dir: string, write: (tmp: string) => void | Promise<void>): Promise<void> {
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = `${target}.tmp-${tag}`;
  fs.mkdirSync(tmp);
  try {
    await write(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (fs.existsSync(target)) {
    const old = `${target}.old-${tag}`;
    fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, target);
  }
}
