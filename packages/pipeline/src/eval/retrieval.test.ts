import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { McQuestion } from '@kard/cot-data';
import { validateConfig } from '../config/validate';
import { OracleRationaleError, oracleQueries, retrievalQuery } from './retrieval';

const q = (id: string, meta: Record<string, unknown> = {}): McQuestion => ({
  id,
  question: `Question ${id}?`,
  options: [
    { label: 'A', text: 'red' },
    { label: 'B', text: 'green' },
    { label: 'C', text: 'blue' },
    { label: 'D', text: 'black' },
  ],
  answer: 'A',
  split: 'test',
  meta,
});
const cfg = (evalOpts: Record<string, unknown> = {}) =>
  validateConfig({
    run: 'r',
    dataset: { train: 't', eval: 'd' },
    knowledge: { corpus: ['c'] },
    teacher: { rationales: 'r' },
    eval: evalOpts,
  });

test('the query is the reference\'s "{question} A. {opt} B. {opt} ...", or the question alone', () => {
  // cache_retrieval.py: data_template = "{} A. {} B. {} C. {} D. {}"
  expect(retrievalQuery(q('1'), 'question-options')).toBe('Question 1? A. red B. green C. blue D. black');
  expect(retrievalQuery(q('1'), 'question')).toBe('Question 1?');
});

test('the oracle queries with a rationale file, else the gold facts; a question with neither is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-oracle-'));
  const file = path.join(dir, 'rationales.jsonl');
  fs.writeFileSync(file, '{"id": "1", "rationale": "Red is the colour of blood."}\n');
  const questions = [q('1'), q('2', { facts: ['Grass is green.', 'Leaves too.'] }), q('3', { fact: 'sky is blue' })];
  expect(oracleQueries(questions, cfg({ oracleRationales: file, oracleFormat: 'jsonl' }))).toEqual([
    'Red is the colour of blood.',
    'Grass is green. Leaves too.',
    'sky is blue',
  ]);
  const refuse = () => oracleQueries([q('1'), q('4')], cfg());
  expect(refuse).toThrow(OracleRationaleError);
  expect(refuse).toThrow(/2 of 2 have none \(1, 4\): set eval.oracleRationales/);
});
