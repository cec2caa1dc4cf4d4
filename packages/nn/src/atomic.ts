// Writes that either complete or leave nothing behind: write beside the target, then rename over it.
import * as fs from 'node:fs';
import * as path from 'node:path';

function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** Writes `data` to `file` atomically (temp file in the same folder, then rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array | Uint8Array[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const chunk of Array.isArray(data) ? data : [data]) {
        if (typeof chunk === 'string') fs.writeSync(fd, chunk);
        else fs.writeSync(fd, chunk);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Fills a fresh temp folder with `fill(tmpDir)` and then moves it to `dir`, replacing any previous folder.
 * A failure inside `fill` removes the temp folder and leaves `dir` as it was.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => void | Promise<void>): Promise<void> {
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  let old: string | undefined;
  if (fs.existsSync(target)) {
    old = tempSibling(target) + '.old';
    fs.renameSync(target, old);
  }
  fs.renameSync(tmp, target);
  if (old) fs.rmSync(old, { recursive: true, force: true });
}
