// Writes that either complete or leave nothing behind: build beside the target, flush to disk, then rename over it.
// A reader (or a crash) sees the old file or folder, or the new one, never half of one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NoSpaceError } from './errors';
import { assertReplaceable, writeOwnerManifest, type ReplaceOptions } from './output-guard';

/** A full disk as a NoSpaceError naming `target` (the write has been undone when this is thrown); others as they are. */
function named(err: unknown, target: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new NoSpaceError(target, { cause: err }) : err;
}

/** A hidden name beside `target`, unique to this process and call, so concurrent writers never collide. */
function tempSibling(target: string, kind: string): string {
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${tag}`);
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename durable. Some platforms (Windows) cannot open or fsync a folder; there the rename is all we have. */
function fsyncDir(dir: string): void {
  try {
    fsyncPath(dir);
  } catch {
    // best effort: see above
  }
}

/** Flushes every file under `dir` (and the folders themselves), so the swapped-in folder survives a crash whole. */
function fsyncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(p);
    else if (entry.isFile()) fsyncPath(p);
  }
  fsyncDir(dir);
}

/**
 * Writes `file` through `fill(tmpFile)`, which creates the temp file however it likes (a stream, a buffered
 * writer), then flushes it, renames it over `file` and flushes the folder. If `fill` (or anything after it)
 * throws, the temp file is removed and `file` is left as it was.
 */
export async function fillFileAtomic(file: string, fill: (tmpFile: string) => void | Promise<void>): Promise<void> {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target, 'tmp');
  try {
    await fill(tmp);
    fsyncPath(tmp);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw named(err, target);
  }
  fsyncDir(path.dirname(target));
}

/** Writes `data` (chunks are written in order) to `file` atomically; creates the parent folder if needed. */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target, 'tmp');
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const chunk of Array.isArray(data) ? data : [data]) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
        // writeSync may write less than asked (large buffers); loop until every byte is out.
        for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at, bytes.length - at);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw named(err, target);
  }
  fsyncDir(path.dirname(target));
}

/**
 * Fills a fresh temp folder beside `dir` with `fill(tmpDir)`, flushes it, and moves it to `dir`, replacing any
 * previous folder: the old one is renamed aside first and removed once the new one is in place. A failure
 * inside `fill` removes the temp folder and leaves `dir` as it was.
 *
 * With `replace` (what the folder is and which manifest marks it as ours), an existing `dir` is replaced only when
 * assertReplaceable allows it, checked before `fill` and again just before the swap; when `replace` names no
 * manifest, the generic marker (OUTPUT_MARKER) is written into the new folder. Every command that writes a folder
 * a user names passes it.
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmpDir: string) => void | Promise<void>,
  replace?: ReplaceOptions,
): Promise<void> {
  const target = path.resolve(dir);
  if (replace) assertReplaceable(dir, replace);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target, 'tmp');
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
    if (replace && replace.manifest === undefined) writeOwnerManifest(tmp, replace.kind);
    fsyncTree(tmp);
    // the path may have been taken while we built (another process, the user)
    if (replace) assertReplaceable(dir, replace);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw named(err, target);
  }
  let old: string | undefined;
  if (fs.existsSync(target)) {
    old = tempSibling(target, 'old');
    fs.renameSync(target, old);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    // put the old folder back rather than leave no folder at all
    if (old) fs.renameSync(old, target);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw named(err, target);
  }
  fsyncDir(path.dirname(target));
  if (old) fs.rmSync(old, { recursive: true, force: true });
}
