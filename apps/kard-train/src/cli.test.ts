// The built CLI's surface: every config key is a flag, and a bad config exits 2 naming the key.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const cli = path.resolve(__dirname, '..', 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30000 });

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: build first (npx nx run kard-train:build)`);
});

test('--help lists the stages and a flag per config key', () => {
  const r = run('--help');
  expect(r.status).toBe(0);
  for (const flag of [
    '--config',
    '--model',
    '--method',
    '--student-lr',
    '--student-max-input-tokens',
    '--reranker-base',
    '--eval-n-docs',
    '--dataset-train-limit',
  ])
    expect(r.stdout).toContain(flag);
  expect(r.stdout).toMatch(/index, prepare, student, reranker, all/);
});

test('a config error exits with status 2 and names the file and key', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cli-')), 'bad.yaml');
  fs.writeFileSync(
    file,
    'run: x\ndataset: {train: t, eval: d}\nknowledge: {corpus: [c]}\nteacher: {rationales: r}\nstudent: {steps: -3}\n',
  );
  const r = run('all', '-c', file);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`${file}: student.steps: expected an integer`);
  const flag = run('all', '-c', file, '--student-steps', '5', '--eval-sc', 'many');
  expect(flag.status).toBe(2);
  expect(flag.stderr).toContain('eval.sc');
});

test('an unknown stage is refused', () => {
  const r = run('evaluate');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/stage: unknown stage/);
});

describe('one process per run folder', () => {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const tiny = path.join(repo, 'packages/pipeline/test/fixtures/tiny.config.yaml');
  const train = (runDir: string, ...args: string[]) =>
    spawnSync(process.execPath, [cli, '-c', tiny, '--run', runDir, ...args], {
      encoding: 'utf8',
      timeout: 60000,
      cwd: repo,
    });

  test('a run folder locked by a live process is refused: exit 1, the holder named, nothing touched', () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cli-lock-'));
    const holder = { pid: process.pid, host: os.hostname(), started: '2025-01-02T03:04:05.000Z' };
    fs.writeFileSync(path.join(runDir, '.lock'), JSON.stringify(holder));
    const r = train(runDir, 'index');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `kard-train: run folder ${runDir} is in use by pid ${process.pid} on ${os.hostname()} (started 2025-01-02T03:04:05.000Z)\n`,
    );
    expect(fs.readdirSync(runDir)).toEqual(['.lock']);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, '.lock'), 'utf8'))).toEqual(holder);
  });

  test('a lock left by a dead process is taken over with a message, and released when done', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cli-stale-'));
    const runDir = path.join(dir, 'run');
    const corpus = path.join(dir, 'corpus.jsonl');
    const lines = fs.readFileSync(path.join(repo, 'datasets/wikipedia/strategyqa_paragraphs.jsonl'), 'utf8');
    fs.writeFileSync(corpus, `${lines.split('\n').slice(0, 50).join('\n')}\n`);
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
    fs.mkdirSync(runDir);
    fs.writeFileSync(
      path.join(runDir, '.lock'),
      JSON.stringify({ pid: dead, host: os.hostname(), started: '2025-01-02T03:04:05.000Z' }),
    );
    const r = train(runDir, 'index', '--knowledge-corpus', corpus);
    expect(r.stderr).toContain(`taking over stale lock of pid ${dead}`);
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(runDir, 'index'))).toBe(true);
    expect(fs.existsSync(path.join(runDir, '.lock'))).toBe(false);
  });
});

test('a missing student.tokenizer is named with its key and path before any stage runs (exit 2, no stack)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cli-'));
  const runDir = path.join(tmp, 'run');
  const config = path.resolve(__dirname, '../../../packages/pipeline/test/fixtures/tiny.config.yaml');
  const missing = path.join(tmp, 'no-such-tokenizer');
  const r = spawnSync(process.execPath, [cli, '-c', config, '--run', runDir, '--student-tokenizer', missing], {
    cwd: path.resolve(__dirname, '../../..'),
    encoding: 'utf8',
    timeout: 30000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(
    `kard-train: student.tokenizer: ${missing} does not exist (a scratch student's tokenizer folder)\n`,
  );
  expect(fs.existsSync(runDir)).toBe(false); // not even the run folder: the index stage never started
});

test('export-web refuses a run without a trained student, naming the stage to run, and exits 1', () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cli-export-'));
  fs.writeFileSync(path.join(runDir, 'run.json'), '{"config": {}}');
  for (const d of ['index', 'passages']) {
    fs.mkdirSync(path.join(runDir, d));
    fs.writeFileSync(path.join(runDir, d, 'manifest.json'), '{"size": 0}');
  }
  const out = path.join(runDir, 'bundle');
  const r = run('export-web', '--run', runDir, '--out', out);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('no trained kard student (student/kard/config.json): run `kard-train student` first');
  expect(fs.existsSync(out)).toBe(false);
  expect(run('export-web', '--help').stdout).toMatch(/--run <dir>[\s\S]*--out <dir>[\s\S]*--student <method>/);
});
