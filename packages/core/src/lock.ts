// One writer at a time for a folder or a file: a lock file created atomically (it appears whole or not at
// all), naming the process that holds it, removed when that process lets go or exits. A lock left by a process
// that died on this host is taken over; one held by a live process (or by another host, which cannot be
// checked) is refused with an error naming the holder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KardError } from './errors';

/** What a lock file holds: the process that took it. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
}

/** The lock is held by another live process (or one on another host). */
export class FileLockedError extends KardError {
  constructor(
    /** What the lock guards, as the message names it ("run folder /runs/a", "teacher cache c.jsonl"). */
    readonly what: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(`${what} is in use by pid ${holder.pid} on ${holder.host} (started ${holder.started})`);
    this.name = 'FileLockedError';
  }
}

export interface FileLockOptions {
  /** What the lock guards, for messages. Default: the lock file's path. */
  what?: string;
  /** Where the takeover of a stale lock is reported. Default: a line on stderr. */
  onStale?: (holder: LockHolder, lockFile: string) => void;
  /** The error to throw when the lock is held (default `FileLockedError`). */
  lockedError?: (holder: LockHolder, lockFile: string) => Error;
}

/** Lock files this process holds, released on exit (process.exit in a signal handler included). */
const held = new Map<string, FileLock>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lock of [...held.values()]) lock.release();
  });
}

function readHolder(lockFile: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.started === 'string')
      return h as LockHolder;
  } catch {
    /* vanished or unreadable: handled by the caller */
  }
  return undefined;
}

/** Whether the holder is known to be dead: a process of this host that no longer exists. */
function isStale(h: LockHolder, lockFile: string): boolean {
  if (h.host !== os.hostname()) return false;
  // our own pid on a lock we do not hold: left by an earlier process that had the same pid (containers reuse them)
  if (h.pid === process.pid) return !held.has(lockFile);
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Creates `file` holding `text` if it does not exist: whole or not at all (written aside, then hard-linked). */
function createExclusive(file: string, text: string): boolean {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${Date.now()}.tmp`);
  fs.writeFileSync(tmp, text);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    // a filesystem without hard links: O_EXCL create (a reader may briefly see it empty; see acquire)
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** A held lock; `release()` removes its file (only if it is still ours). */
export class FileLock {
  private released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock at `file` (its folder must exist), or throws `FileLockedError` naming the holder. */
  static acquire(file: string, opts: FileLockOptions = {}): FileLock {
    const lockFile = path.resolve(file);
    const holder: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
    const text = `${JSON.stringify(holder)}\n`;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(lockFile, text)) {
        const lock = new FileLock(lockFile, holder);
        held.set(lockFile, lock);
        installExitHook();
        return lock;
      }
      const other = readHolder(lockFile);
      if (!other) {
        // gone since, or (without hard links) still being written: look again, then call it stale
        if (!fs.existsSync(lockFile)) continue;
        if (Date.now() - fs.statSync(lockFile).mtimeMs < 2000) {
          sleepSync(50);
          continue;
        }
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (!isStale(other, lockFile))
        throw opts.lockedError?.(other, lockFile) ?? new FileLockedError(opts.what ?? lockFile, lockFile, other);
      if (takeOver(lockFile, other)) (opts.onStale ?? reportStale)(other, lockFile);
    }
    throw new KardError(`could not take the lock ${lockFile}: it keeps changing hands`);
  }

  /** Removes the lock file if it still names this process. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.file);
    const now = readHolder(this.file);
    if (now && now.pid === this.holder.pid && now.started === this.holder.started && now.host === this.holder.host)
      fs.rmSync(this.file, { force: true });
  }
}

/** Removes a dead holder's lock, unless another process replaced it meanwhile (checked under a short side lock). */
function takeOver(lockFile: string, stale: LockHolder): boolean {
  const side = `${lockFile}.takeover`;
  try {
    fs.writeFileSync(side, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // another process is taking over; a side lock older than a few seconds was left by a death mid-takeover
    if (Date.now() - fs.statSync(side).mtimeMs > 5000) fs.rmSync(side, { force: true });
    else sleepSync(50);
    return false;
  }
  try {
    const now = readHolder(lockFile);
    if (!now || now.pid !== stale.pid || now.started !== stale.started || now.host !== stale.host) return false;
    fs.rmSync(lockFile, { force: true });
    return true;
  } finally {
    fs.rmSync(side, { force: true });
  }
}

function reportStale(h: LockHolder, lockFile: string): void {
  process.stderr.write(
    `taking over stale lock of pid ${h.pid} (started ${h.started}, no longer running): ${lockFile}\n`,
  );
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding the lock at `file`; releases it however `fn` ends. */
export async function withLock<T>(file: string, opts: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = FileLock.acquire(file, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
