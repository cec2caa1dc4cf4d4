import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputExistsError } from '@kard/core';
import { validateConfig } from '../config/validate';
import { runEvaluation } from './run-eval';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-run-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cfg = validateConfig({
  run: path.join(tmp, 'run'),
  dataset: { train: 't.json', eval: 'd.json' },
  knowledge: { corpus: ['c.jsonl'] },
  teacher: { rationales: 'r.tsv' },
});

test('kard-eval --out naming a folder of the user refuses before evaluating anything, and deletes nothing', async () => {
  const out = path.join(tmp, 'results');
  fs.mkdirSync(path.join(out, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(out, 'important.txt'), 'keep');
  const err = await runEvaluation(cfg, { outDir: out }).catch((e) => e);
  expect(err).toBeInstanceOf(OutputExistsError);
  expect(err.message).toBe(
    `${out} exists and is not a report folder written by KARD-TS (no report.json); refusing to replace it. Pass --overwrite to replace it anyway.`,
  );
  expect(fs.readdirSync(out).sort()).toEqual(['important.txt', 'sub']);
  expect(fs.existsSync(cfg.run)).toBe(false); // refused first: not even the run's passage store was built
});

test('a file as --out is refused the same way', async () => {
  const file = path.join(tmp, 'report');
  fs.writeFileSync(file, 'keep');
  await expect(runEvaluation(cfg, { outDir: file })).rejects.toThrow('(it is a file, not a folder)');
  expect(fs.readFileSync(file, 'utf8')).toBe('keep');
});
