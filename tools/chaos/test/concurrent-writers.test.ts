// Two kard-train processes on one run folder: the second is refused with the run-folder lock's message and exit 1,
// while the first carries on. Uses the built CLI.
//
// NOTE: this tests the run-folder lock (issue 18 item 2, helper "lock", RunFolderLockedError in @kard/pipeline).
// It fails on a branch without that lock; it passes once the lock is merged.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'apps', 'kard-train', 'dist', 'cli.js');
const config = path.join(root, 'packages/pipeline/test/fixtures/tiny.config.yaml');

const events = (runDir: string): Array<{ event: string; stage?: string }> => {
  try {
    return fs
      .readFileSync(path.join(runDir, 'log.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};

test('a second kard-train on a busy run folder exits 1: "run folder <dir> is in use by pid N on <host> (started ...)"', async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx nx run kard-train:build)`);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-two-writers-'));
  // a student long enough to still be running when the second process starts
  const args = (steps: string) => [
    cli,
    'student',
    '-c',
    config,
    '--run',
    runDir,
    '--method',
    'ft',
    '--student-steps',
    steps,
  ];
  const first = spawn(process.execPath, args('5000'), { cwd: root, stdio: 'ignore' });
  const firstExit = new Promise<number | null>((r) => first.once('exit', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (events(runDir).some((e) => e.event === 'stage-start' && e.stage === 'student-ft')) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      first.once('exit', () => {
        clearInterval(timer);
        reject(new Error('the first process ended before the second could start'));
      });
    });
    const before = fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8');
    const second = spawnSync(process.execPath, args('60'), { cwd: root, encoding: 'utf8', timeout: 60000 });
    expect(second.stderr).toMatch(
      new RegExp(
        `run folder ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by pid ${first.pid} on ${os.hostname()} \\(started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)`,
      ),
    );
    expect(second.stderr).not.toMatch(/\n\s+at /); // the message only, no stack
    expect(second.status).toBe(1);
    // the refused process wrote nothing into the folder's log, and the first is still running
    expect(fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').startsWith(before)).toBe(true);
    expect(
      events(runDir)
        .slice(before.split('\n').length - 1)
        .some((e) => e.event === 'start'),
    ).toBe(false);
    expect(first.exitCode).toBeNull();
  } finally {
    first.kill('SIGINT');
    await firstExit;
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}, 90000);
