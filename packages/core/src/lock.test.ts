import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformFileSync } from '@swc/core';
import { FileLock, FileLockedError, withLock, type LockHolder } from './lock';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kard-lock-'));

/** lock.ts (and errors.ts) compiled to CommonJS, for child processes that take locks of their own. */
function compiledLock(): string {
  const dir = tmp();
  for (const name of ['lock', 'errors']) {
    const { code } = transformFileSync(path.join(__dirname, `${name}.ts`), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
    });
    fs.writeFileSync(path.join(dir, `${name}.js`), code);
  }
  return path.join(dir, 'lock.js');
}

/** A child process that takes the lock, says "held", and waits to be killed (or exits when told on stdin). */
function holdInChild(lockJs: string, file: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const { FileLock } = require(${JSON.stringify(lockJs)});
       FileLock.acquire(${JSON.stringify(file)});
       process.stdout.write('held\\n');
       process.stdin.on('data', () => process.exit(0));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((r) => child.once('exit', r));

/** A pid that no process of this host has: one that just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('FileLock', () => {
  test('holds pid, host and start time; a second taker gets FileLockedError naming them; release frees it', () => {
    const file = path.join(tmp(), '.lock');
    const lock = FileLock.acquire(file, { what: 'run folder x' });
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    expect(holder).toEqual({ pid: process.pid, host: os.hostname(), started: lock.holder.started });
    expect(new Date(holder.started).toISOString()).toBe(holder.started);
    let err: unknown;
    try {
      FileLock.acquire(file, { what: 'run folder x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileLockedError);
    expect((err as Error).message).toBe(
      `run folder x is in use by pid ${process.pid} on ${os.hostname()} (started ${holder.started})`,
    );
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
    FileLock.acquire(file).release();
    expect(fs.readdirSync(path.dirname(file))).toEqual([]); // no temp or side files left
  });

  test('withLock releases on a throw', async () => {
    const file = path.join(tmp(), '.lock');
    await expect(
      withLock(file, {}, async () => {
        expect(fs.existsSync(file)).toBe(true);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a lock of a dead pid on this host is taken over, with a message; one of another host is not', () => {
    const file = path.join(tmp(), '.lock');
    const dead: LockHolder = { pid: deadPid(), host: os.hostname(), started: '2020-01-01T00:00:00.000Z' };
    fs.writeFileSync(file, JSON.stringify(dead));
    const seen: LockHolder[] = [];
    const lock = FileLock.acquire(file, { onStale: (h) => seen.push(h) });
    expect(seen).toEqual([dead]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();

    const remote: LockHolder = { pid: deadPid(), host: `not-${os.hostname()}`, started: dead.started };
    fs.writeFileSync(file, JSON.stringify(remote));
    expect(() => FileLock.acquire(file)).toThrow(`is in use by pid ${remote.pid} on not-${os.hostname()}`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(remote); // untouched
  });

  test('across processes: refused while the holder lives, released when it exits, taken over after kill -9', async () => {
    const lockJs = compiledLock();
    const file = path.join(tmp(), '.lock');
    const child = await holdInChild(lockJs, file);
    expect(() => FileLock.acquire(file)).toThrow(`in use by pid ${child.pid} on ${os.hostname()}`);
    child.stdin!.write('exit\n'); // process.exit: the exit hook removes the lock
    await exited(child);
    expect(fs.existsSync(file)).toBe(false);

    const killed = await holdInChild(lockJs, file);
    killed.kill('SIGKILL');
    await exited(killed);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(killed.pid); // left behind
    const seen: number[] = [];
    FileLock.acquire(file, { onStale: (h) => seen.push(h.pid) }).release();
    expect(seen).toEqual([killed.pid]);
  });

  test('racing processes: exactly one of them gets the lock', async () => {
    const lockJs = compiledLock();
    const file = path.join(tmp(), '.lock');
    // The winner holds the lock until its stdin ends, which happens once the five others have finished: a slow
    // start under load cannot find the lock already released.
    const script = `const { FileLock } = require(${JSON.stringify(lockJs)});
      try { FileLock.acquire(${JSON.stringify(file)}); process.stdout.write('got'); process.stdin.resume(); }
      catch (e) { process.stdout.write(e.name); }`;
    const children = Array.from({ length: 6 }, () => spawn(process.execPath, ['-e', script]));
    let finished = 0;
    const outs = await Promise.all(
      children.map((c) => {
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.stderr.on('data', (d) => (out += d));
        // 'close', not 'exit': 'exit' can come before the last of stdout has been read (seen in CI under load)
        return new Promise<string>((r) =>
          c.once('close', () => {
            if (++finished === 5) for (const other of children) other.stdin.end();
            r(out);
          }),
        );
      }),
    );
    expect(outs.sort()).toEqual([
      'FileLockedError',
      'FileLockedError',
      'FileLockedError',
      'FileLockedError',
      'FileLockedError',
      'got',
    ]);
  });
});
