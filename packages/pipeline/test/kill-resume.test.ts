// Kill the train CLI mid-student-stage (SIGKILL: no chance to clean up), rerun it, and check that it resumed
// from the checkpoint instead of starting over. Uses the built CLI (apps/kard-train/dist/cli.js).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'apps', 'kard-train', 'dist', 'cli.js');
const config = path.join(__dirname, 'fixtures', 'tiny.config.yaml');

function events(runDir: string): Array<{ event: string; stage?: string; step?: number }> {
  const file = path.join(runDir, 'log.jsonl');
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
}

test('a killed student stage resumes from its latest checkpoint', async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx nx run kard-train:build)`);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-kill-'));
  const args = [
    cli,
    'student',
    '-c',
    config,
    '--run',
    runDir,
    '--method',
    'ft',
    '--student-steps',
    '60',
    '--student-checkpoint-every',
    '3',
    '--reranker-max-steps',
    '1',
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
  const killedAt = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const ck = events(runDir).filter((e) => e.event === 'checkpoint' && e.stage === 'student-ft');
      if (ck.length >= 2) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve(ck[ck.length - 1].step!);
      }
    }, 100);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('the CLI finished before it could be killed'));
    });
  });
  await new Promise((r) => child.once('exit', r));
  expect(fs.existsSync(path.join(runDir, '.stages', 'student-ft.json'))).toBe(false);
  expect(killedAt).toBeGreaterThanOrEqual(6);
  expect(killedAt).toBeLessThan(60);

  // the same command again: it must pick up the checkpoint, not start from step 0
  const rerun = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120000 });
  expect(rerun.status).toBe(0);
  const resumed = events(runDir).find((e) => e.event === 'resumed' && e.stage === 'student-ft');
  expect(resumed).toBeDefined();
  expect(resumed!.step).toBeGreaterThanOrEqual(killedAt); // the latest complete checkpoint at or after the one seen
  const marker = JSON.parse(fs.readFileSync(path.join(runDir, '.stages', 'student-ft.json'), 'utf8'));
  expect(marker.result.resumedFromStep).toBe(resumed!.step);
  expect(marker.result.steps).toBe(60);
  // earlier stages were not redone on the rerun
  const starts = events(runDir)
    .filter((e) => e.event === 'stage-start')
    .map((e) => e.stage);
  expect(starts.filter((s) => s === 'index')).toHaveLength(1);
  expect(starts.filter((s) => s === 'prepare-ft')).toHaveLength(1);
}, 90000);

test.each([
  ['Ctrl-C (SIGINT)', 130, 'SIGINT'],
  ['kill (SIGTERM)', 143, 'SIGTERM'],
] as const)(
  '%s mid-student-stage stops within a step: exit %i and "interrupted" in the log',
  async (_, status, signal) => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `kard-${signal.toLowerCase()}-`));
    const args = [
      cli,
      'student',
      '-c',
      config,
      '--run',
      runDir,
      '--method',
      'ft',
      '--student-steps',
      '5000',
      '--student-checkpoint-every',
      '2',
    ];
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (events(runDir).some((e) => e.event === 'checkpoint' && e.stage === 'student-ft')) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
      child.once('exit', () => {
        clearInterval(timer);
        reject(new Error('the CLI finished before it could be interrupted'));
      });
    });
    const sentAt = Date.now();
    child.kill(signal);
    const code = await exited;
    expect(Date.now() - sentAt).toBeLessThan(5000); // 5,000 steps would take minutes: it stopped between two of them
    expect(code).toBe(status); // 128 + the signal's number, as a shell reports a process it ended
    expect(events(runDir).at(-1)).toMatchObject({ event: 'interrupted', signal });
    expect(fs.existsSync(path.join(runDir, '.stages', 'student-ft.json'))).toBe(false);
  },
  90000,
);
