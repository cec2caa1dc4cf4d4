import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileLock, FileLockedError, type LockHolder } from '@kard/core';

/** Another live process (kard-train or kard-eval) is working in the run folder. */
export class RunFolderLockedError extends FileLockedError {
  constructor(
    readonly dir: string,
    holder: LockHolder,
  ) {
    super(`run folder ${dir}`, path.join(dir, '.lock'), holder);
    this.name = 'RunFolderLockedError';
  }
}

/**
 * Takes `<run>/.lock` for this process: two processes in one run folder would train stages over each other's
 * outputs (or evaluate a half-replaced student). Throws `RunFolderLockedError` naming the holder, before anything
 * in the folder is touched; a lock left by a dead process of this host is taken over with a line on stderr.
 * Release it when done; it is released on process exit anyway.
 */
export function lockRunFolder(dir: string, opts: { onStale?: (holder: LockHolder) => void } = {}): FileLock {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  return FileLock.acquire(path.join(abs, '.lock'), {
    what: `run folder ${abs}`,
    onStale: opts.onStale,
    lockedError: (holder) => new RunFolderLockedError(abs, holder),
  });
}
