// The comparison behind the kill-resume figures: it must see every real difference and nothing else.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareRuns } = require('../run-compare.cjs') as {
  compareRuns: (a: string, b: string) => Array<{ file: string; why: string }>;
};

function runFolder(dir: string, opts: { time: string; weights?: number[]; extra?: string } = { time: 'T1' }): string {
  const put = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  };
  put('log.jsonl', `{"time":"${opts.time}","event":"start"}\n`);
  put('run.json', JSON.stringify({ config: { run: dir, seed: 7 }, updatedAt: opts.time }));
  put(
    '.stages/student-ft.json',
    JSON.stringify({ inputsHash: 'h', finishedAt: opts.time, seconds: opts.time.length, result: { steps: 4 } }),
  );
  put('data/ft/manifest.json', JSON.stringify({ outDir: path.join(dir, 'data/ft'), createdAt: opts.time }));
  put('student/ft/model.safetensors', Buffer.from(new Float32Array(opts.weights ?? [1, 2, 3]).buffer));
  if (opts.extra) put(opts.extra, 'x');
  return dir;
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kard-compare-'));

test('timestamps, timings, the log and the run folder path are not differences', () => {
  const a = runFolder(tmp(), { time: '2026-01-01T00:00:00Z' });
  const b = runFolder(tmp(), { time: '2027-02-02T11:11:11.111Z' });
  expect(compareRuns(a, b)).toEqual([]);
});

test('a changed weight, a changed config value and a left-over temp file are', () => {
  const a = runFolder(tmp(), { time: 'T1' });
  const b = runFolder(tmp(), { time: 'T2', weights: [1, 2, 3.0000002], extra: 'student/ft/.model.safetensors.tmp-1' });
  fs.writeFileSync(path.join(b, 'run.json'), JSON.stringify({ config: { run: b, seed: 8 }, updatedAt: 'T2' }));
  expect(compareRuns(a, b)).toEqual([
    { file: 'student/ft/.model.safetensors.tmp-1', why: `only in ${b}` },
    { file: 'run.json', why: 'JSON differs (beyond timestamps and timings)' },
    { file: 'student/ft/model.safetensors', why: 'bytes differ' },
  ]);
});
