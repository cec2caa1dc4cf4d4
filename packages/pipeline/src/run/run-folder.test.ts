import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashJson } from './hash';
import { RunFolder } from './run-folder';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kard-run-'));

describe('RunFolder stages', () => {
  test('a stage marked done with the same inputs is skipped; a changed input reruns it', async () => {
    const run = new RunFolder(tmp());
    let calls = 0;
    const work = async () => ++calls;
    expect((await run.stage('index', { corpus: 'h1' }, work)).skipped).toBe(false);
    expect((await run.stage('index', { corpus: 'h1' }, work)).skipped).toBe(true);
    expect(calls).toBe(1);
    // a fresh RunFolder on the same directory (a new process) sees the marker too
    expect((await new RunFolder(run.dir).stage('index', { corpus: 'h1' }, work)).skipped).toBe(true);
    const rerun = await run.stage('index', { corpus: 'h2' }, work);
    expect(rerun.skipped).toBe(false);
    expect(calls).toBe(2);
    expect(run.marker('index')!.inputsHash).toBe(hashJson({ corpus: 'h2' }));
  });

  test('a failed stage leaves no marker, and its work folder survives for the resume', async () => {
    const run = new RunFolder(tmp());
    let workDir = '';
    await expect(
      run.stage('student-ft', { a: 1 }, async (w) => {
        workDir = w;
        fs.writeFileSync(path.join(w, 'checkpoint'), 'step 5');
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(run.marker('student-ft')).toBeUndefined();
    const seen: string[] = [];
    await run.stage('student-ft', { a: 1 }, async (w) => {
      seen.push(fs.readFileSync(path.join(w, 'checkpoint'), 'utf8'));
    });
    expect(seen).toEqual(['step 5']);
    expect(fs.existsSync(workDir)).toBe(false); // cleaned once done
  });

  test('work left by different inputs is wiped, never resumed', async () => {
    const run = new RunFolder(tmp());
    await expect(
      run.stage('s', { a: 1 }, async (w) => {
        fs.writeFileSync(path.join(w, 'checkpoint'), 'x');
        throw new Error('stop');
      }),
    ).rejects.toThrow();
    await run.stage('s', { a: 2 }, async (w) => expect(fs.existsSync(path.join(w, 'checkpoint'))).toBe(false));
  });

  test('the log is JSON lines with the stage events', async () => {
    const run = new RunFolder(tmp());
    await run.stage('index', {}, async () => 1);
    await run.stage('index', {}, async () => 1);
    const events = fs
      .readFileSync(run.path('log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event);
    expect(events).toEqual(['stage-start', 'stage-done', 'stage-skip']);
  });

  test('hashJson ignores key order', () => {
    expect(hashJson({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(hashJson({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(hashJson({ a: 1 })).not.toBe(hashJson({ a: 2 }));
  });
});
