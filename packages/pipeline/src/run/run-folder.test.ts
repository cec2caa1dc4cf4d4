import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
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

describe('RunFolder stage outputs', () => {
  /** A stage that writes a model folder (config.json, a 6 MB model.safetensors) and counts its runs. */
  function modelStage(run: RunFolder, bytes = 6 << 20) {
    let runs = 0;
    const go = () =>
      run.stage(
        'student-rd',
        { steps: 120 },
        async () => {
          fs.mkdirSync(run.path('student', 'rd'), { recursive: true });
          fs.writeFileSync(run.path('student', 'rd', 'config.json'), '{"d_model":16}\n');
          fs.writeFileSync(run.path('student', 'rd', 'model.safetensors'), Buffer.alloc(bytes, 7));
          return ++runs;
        },
        { outputs: ['student/rd'] },
      );
    return { go, runs: () => runs };
  }
  const lastEvent = (run: RunFolder) => {
    const lines = fs.readFileSync(run.path('log.jsonl'), 'utf8').trim().split('\n');
    return JSON.parse(lines.filter((l) => JSON.parse(l).event !== 'stage-done').pop()!);
  };
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  test('the marker records each output file: relative path, size, sha256 (first and last MiB above 4 MiB)', async () => {
    const run = new RunFolder(tmp());
    await modelStage(run).go();
    const big = fs.readFileSync(run.path('student', 'rd', 'model.safetensors'));
    expect(run.marker('student-rd')!.outputs).toEqual([
      { path: 'student/rd/config.json', size: 15, fingerprint: `sha256:${sha(Buffer.from('{"d_model":16}\n'))}` },
      {
        path: 'student/rd/model.safetensors',
        size: 6 << 20,
        fingerprint: `head-tail-sha256:${sha(Buffer.concat([big.subarray(0, 1 << 20), big.subarray(big.length - (1 << 20))]))}`,
      },
    ]);
    expect(run.marker('student-rd')!.inputsHash).toBe(hashJson({ steps: 120 })); // the hash is the inputs' alone
  });

  test('a deleted, truncated or rewritten output reruns the stage, saying why; intact outputs are skipped', async () => {
    const run = new RunFolder(tmp());
    const s = modelStage(run);
    await s.go();
    expect((await s.go()).skipped).toBe(true);

    fs.rmSync(run.path('student', 'rd'), { recursive: true });
    expect((await s.go()).skipped).toBe(false);
    expect(lastEvent(run)).toMatchObject({
      event: 'stage-start',
      stage: 'student-rd',
      message: 'output student/rd/config.json is missing; rerunning',
    });

    fs.truncateSync(run.path('student', 'rd', 'model.safetensors'), 45);
    expect((await s.go()).skipped).toBe(false);
    expect(lastEvent(run).message).toBe(
      `output student/rd/model.safetensors changed (size ${6 << 20} -> 45); rerunning`,
    );

    fs.writeFileSync(run.path('student', 'rd', 'config.json'), '{"d_model":32}\n'); // same size, other bytes
    expect((await s.go()).skipped).toBe(false);
    expect(lastEvent(run).message).toBe(
      'output student/rd/config.json changed (same size 15, different content); rerunning',
    );
    expect(s.runs()).toBe(4);
    expect((await s.go()).skipped).toBe(true);
  });

  test('a marker from before outputs were recorded keeps its hash: trusted while its outputs hold, then upgraded', async () => {
    const run = new RunFolder(tmp());
    const s = modelStage(run, 100);
    // a valid safetensors file: 8-byte header length, header, 4 bytes of data
    const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
    const st = Buffer.concat([Buffer.alloc(8), header, Buffer.alloc(4)]);
    st.writeBigUInt64LE(BigInt(header.length));
    await s.go();
    fs.writeFileSync(run.path('student', 'rd', 'model.safetensors'), st);
    const legacy = () => {
      const { outputs: _o, ...old } = run.marker('student-rd')!;
      fs.writeFileSync(run.path('.stages', 'student-rd.json'), JSON.stringify(old));
    };
    legacy();
    expect((await s.go()).skipped).toBe(true);
    expect(run.marker('student-rd')!.outputs!.map((o) => [o.path, o.size])).toEqual([
      ['student/rd/config.json', 15],
      ['student/rd/model.safetensors', st.length],
    ]);

    // an old marker whose output folder is gone, or whose safetensors is cut short, is not trusted
    legacy();
    fs.rmSync(run.path('student', 'rd'), { recursive: true });
    expect((await s.go()).skipped).toBe(false);
    expect(lastEvent(run).message).toBe('output student/rd is missing; rerunning');
    fs.writeFileSync(run.path('student', 'rd', 'model.safetensors'), st.subarray(0, st.length - 2));
    legacy();
    expect((await s.go()).skipped).toBe(false);
    expect(lastEvent(run).message).toBe(
      `output student/rd/model.safetensors changed (size ${st.length} by its header, ${st.length - 2} on disk); rerunning`,
    );
    fs.writeFileSync(run.path('student', 'rd', 'model.safetensors'), st.subarray(0, 20)); // the header cut
    legacy();
    expect((await s.go()).skipped).toBe(false);
    expect(lastEvent(run).message).toBe(
      'output student/rd/model.safetensors is not a readable safetensors file (20 bytes); rerunning',
    );
  });
});
