import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from './program';

const FIX = path.resolve(__dirname, '../../test/fixtures');
const DATASETS = path.resolve(__dirname, '../../../../datasets');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

test.each([
  [[]],
  [['prepare']],
  [['datasets']],
  [['teacher']],
  [['teacher', 'import']],
  [['teacher', 'generate']],
  [['teacher', 'verify']],
])('--help works for %j', async (cmd) => {
  const r = await run(...cmd, '--help');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^Usage: kard-cot/);
});

test('datasets lists shipped and downloadable data', async () => {
  const r = await run('datasets', '--dir', DATASETS, '--json');
  expect(r.code).toBe(0);
  const list = JSON.parse(r.out);
  expect(
    list.find((d: { name: string }) => d.name === 'medqa').files.map((f: { shipped: boolean }) => f.shipped),
  ).toEqual([true, false, false]);
});

test('teacher verify and import on the fixtures', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const q = path.join(FIX, 'tiny-questions.jsonl');
  const r = await run(
    'teacher',
    'verify',
    '--dataset',
    q,
    '--rationales',
    path.join(FIX, 'tiny-rationales.jsonl'),
    '--rationale-format',
    'jsonl',
    '--out',
    path.join(dir, 'kept.jsonl'),
  );
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toMatchObject({ total: 8, kept: 5, wrong: 2, parseFailures: 1, unmatched: 1 });
  expect(readFileSync(path.join(dir, 'kept.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  const i = await run(
    'teacher',
    'import',
    '--dataset',
    path.join(DATASETS, 'strategyqa/train.json'),
    '--rationales',
    path.join(DATASETS, 'flan-cot/strategyqa_train.tsv'),
    '--out',
    path.join(dir, 'flan.jsonl'),
  );
  expect(i.out).toMatch(/^rationales 2061 for 2061 questions \(unmatched 0\)/);
});

test('prepare via flags; errors print one line and exit 1', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  const ok = await run(
    'prepare',
    '--dataset',
    path.join(FIX, 'tiny-questions.jsonl'),
    '--rationales',
    path.join(FIX, 'tiny-rationales.jsonl'),
    '--rationale-format',
    'jsonl',
    '--mode',
    'rd',
    '--out',
    path.join(dir, 'o'),
    '--no-progress',
  );
  expect(ok.err).toBe('');
  expect(ok.code).toBe(0);
  expect(ok.out).toMatch(/kept 5, wrong 2, unparsed 1/);
  const bad = await run('prepare', '--dataset', path.join(FIX, 'tiny-questions.jsonl'), '--out', path.join(dir, 'o2'));
  expect(bad).toMatchObject({
    code: 1,
    err: 'kard-cot: prepare: mode "kard" needs teacher rationales (config.rationales)\n',
  });
  const badFormat = await run('prepare', '--dataset', 'x', '--format', 'csv', '--out', 'y');
  expect(badFormat.code).not.toBe(0);
  expect(badFormat.err).toMatch(/Allowed choices are strategyqa, medqa/);
});

test('teacher generate against a local endpoint prints the usage summary; a dead endpoint exits 1', async () => {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { n } = JSON.parse(body);
      const choices = Array.from({ length: n }, () => ({ message: { content: 'Because. Answer: A' } }));
      res.end(JSON.stringify({ choices, usage: { prompt_tokens: 10, completion_tokens: 5 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-'));
  try {
    const flan = path.join(DATASETS, 'flan-cot/strategyqa_train.tsv');
    const args = [
      'teacher',
      'generate',
      '--mode',
      'answer',
      '--dataset',
      path.join(DATASETS, 'strategyqa/dev.json'),
      '--limit',
      '3',
      '--demos',
      flan,
      '--n',
      '2',
      '--cache',
      path.join(dir, 'c.jsonl'),
      '--no-progress',
    ];
    const r = await run(...args, '--base-url', url, '--price-prompt', '1000000');
    expect(r.err).toMatch(/^teacher estimate: 3 questions to ask \(0 cached\) in 3 requests, \d+ prompt tokens/);
    expect(JSON.parse(r.out)).toMatchObject({
      questions: 3,
      requests: 3,
      generated: 6,
      promptTokens: 30,
      completionTokens: 15,
      costUsd: 30,
    });
    const dead = await run(
      ...args,
      '--limit',
      '4',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '--retries',
      '1',
      '--timeout',
      '200',
    );
    expect(dead.code).toBe(1);
    expect(dead.err).toMatch(
      /^teacher estimate: 1 questions to ask \(3 cached\).*\nkard-cot: http:\/\/127\.0\.0\.1:9\/v1\/chat\/completions failed after 2 attempts: network error/,
    );
  } finally {
    server.close();
  }
});
