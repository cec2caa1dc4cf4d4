import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkConfigPaths } from './paths';
import { ConfigError, validateConfig } from './validate';

// The shipped inputs of the tiny test config (paths relative to the repository root).
const root = path.resolve(__dirname, '../../../..');
const at = (p: string) => path.join(root, p);
const good = {
  run: 'runs/x',
  dataset: { train: at('datasets/strategyqa/train.json'), eval: at('datasets/strategyqa/dev.json') },
  knowledge: { corpus: [at('datasets/wikipedia/strategyqa_paragraphs.jsonl')] },
  teacher: { rationales: at('datasets/flan-cot/strategyqa_train.tsv') },
  student: { tokenizer: at('models/t5-tokenizer') },
  reranker: { tokenizer: at('models/bert-uncased-tokenizer') },
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-paths-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function errorOf(raw: Record<string, unknown>, scope: Parameters<typeof checkConfigPaths>[1] = 'all'): ConfigError {
  try {
    checkConfigPaths(validateConfig(raw), scope);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

test('a config whose inputs all exist passes, for every scope', () => {
  for (const scope of ['index', 'prepare', 'student', 'reranker', 'all', 'eval'] as const)
    expect(() => checkConfigPaths(validateConfig(good), scope)).not.toThrow();
});

test('a missing student.tokenizer folder is named with its key and path (issue 18)', () => {
  const missing = path.join(tmp, 'no-such-tokenizer');
  const e = errorOf({ ...good, student: { tokenizer: missing } });
  expect(e.key).toBe('student.tokenizer');
  expect(e.message).toBe(`student.tokenizer: ${missing} does not exist (a scratch student's tokenizer folder)`);
});

test('a tokenizer folder without tokenizer_config.json (transformers.js needs it) is named', () => {
  const dir = path.join(tmp, 'half-tokenizer');
  fs.mkdirSync(dir);
  fs.copyFileSync(at('models/t5-tokenizer/tokenizer.json'), path.join(dir, 'tokenizer.json'));
  expect(errorOf({ ...good, student: { tokenizer: dir } }).message).toBe(
    `student.tokenizer: ${dir} has no tokenizer_config.json (a scratch student's tokenizer folder)`,
  );
});

test('a damaged tokenizer.json is named with its key, file and line before any stage runs', () => {
  const dir = path.join(tmp, 'damaged-tokenizer');
  fs.cpSync(at('models/t5-tokenizer'), dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{\n  "version": "1.0",\n  "model": {\n');
  expect(errorOf({ ...good, student: { tokenizer: dir } }).message).toMatch(
    new RegExp(`^student\\.tokenizer: ${path.join(dir, 'tokenizer.json')}:3: malformed JSON: `),
  );
});

test.each([
  ['dataset.train', { dataset: { ...good.dataset, train: 'nope/train.json' } }, 'all'],
  ['dataset.eval', { dataset: { ...good.dataset, eval: 'nope/dev.json' } }, 'eval'],
  ['knowledge.corpus', { knowledge: { corpus: [good.knowledge.corpus[0], 'nope.jsonl'] } }, 'index'],
  ['teacher.rationales', { teacher: { rationales: 'nope.tsv' } }, 'prepare'],
  ['student.model', { student: { model: './nope-model' } }, 'student'],
  ['reranker.tokenizer', { reranker: { tokenizer: 'nope-bert' } }, 'reranker'],
  ['reranker.base', { reranker: { base: 'nope-bert' } }, 'all'],
  ['reranker.init', { reranker: { ...good.reranker, init: 'nope-init' } }, 'all'],
] as const)('a missing %s is named before any stage runs', (key, patch, scope) => {
  const e = errorOf({ ...good, ...patch }, scope);
  expect(e.key).toBe(key);
  expect(e.message).toMatch(new RegExp(`^${key.replace('.', '\\.')}: /.*nope\\S* does not exist \\(`));
});

test('only what the scope reads is checked: the index stage needs no tokenizer, eval no training set', () => {
  const broken = { ...good, student: { tokenizer: 'nope' }, dataset: { ...good.dataset, train: 'nope.json' } };
  expect(() => checkConfigPaths(validateConfig(broken), 'index')).not.toThrow();
  expect(() => checkConfigPaths(validateConfig(broken), 'eval')).not.toThrow();
  // a Hub id is fetched later, so it is not a missing folder
  expect(() =>
    checkConfigPaths(validateConfig({ ...good, student: { model: 'google/flan-t5-small' } }), 'all'),
  ).not.toThrow();
});
