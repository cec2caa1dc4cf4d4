import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, flagName, loadConfig, validateConfig } from './validate';

const minimal = {
  run: 'runs/x',
  dataset: { train: 't.json', eval: 'd.json' },
  knowledge: { corpus: ['c.jsonl'] },
  teacher: { rationales: 'r.tsv' },
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('validateConfig', () => {
  test('fills defaults from the schema', () => {
    const c = validateConfig(minimal);
    expect(c.seed).toBe(42);
    expect(c.student.methods).toEqual(['ft', 'rd', 'kard']);
    expect(c.eval.methods).toEqual(['ft', 'rd', 'kard-bm25', 'kard-reranker']);
    expect(c.knowledge.k1).toBe(0.9);
  });

  test('an unknown key is named with its path and the known keys', () => {
    const e = errorOf(() => validateConfig({ ...minimal, student: { lrr: 1 } }));
    expect(e.key).toBe('student.lrr');
    expect(e.message).toMatch(/unknown key .*lr/);
  });

  test('a wrong type, a value out of range and a bad enum each name their key', () => {
    expect(errorOf(() => validateConfig({ ...minimal, student: { lr: 'fast' } })).key).toBe('student.lr');
    expect(errorOf(() => validateConfig({ ...minimal, student: { steps: 0 } })).message).toMatch(/student\.steps: expected an integer in \[1, inf\], got 0/);
    expect(errorOf(() => validateConfig({ ...minimal, student: { steps: 2.5 } })).key).toBe('student.steps');
    expect(errorOf(() => validateConfig({ ...minimal, eval: { methods: ['kard', 'ft'] } })).message).toMatch(/eval\.methods: expected a list of ft, rd, kard-bm25, kard-reranker/);
  });

  test('a missing required key says what it is for', () => {
    const e = errorOf(() => validateConfig({ ...minimal, dataset: { train: 't.json' } }));
    expect(e.key).toBe('dataset.eval');
    expect(e.message).toMatch(/required/);
  });

  test('rd/kard students without teacher rationales are refused; ft alone needs none', () => {
    expect(errorOf(() => validateConfig({ ...minimal, teacher: {} })).key).toBe('teacher.rationales');
    expect(validateConfig({ ...minimal, teacher: {}, student: { methods: ['ft'] } }).student.methods).toEqual(['ft']);
  });
});

describe('loadConfig', () => {
  test('reads YAML, flags override the file (converted to the key type), the file name prefixes errors', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-cfg-'));
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, 'run: a\ndataset: {train: t, eval: d}\nknowledge: {corpus: [c]}\nteacher: {rationales: r}\nstudent: {steps: 10}\n');
    const c = loadConfig(file, { 'student.steps': '25', 'student.methods': 'ft,kard', 'eval.sc': '5' });
    expect(c.student.steps).toBe(25);
    expect(c.student.methods).toEqual(['ft', 'kard']);
    expect(c.eval.sc).toBe(5);
    const e = errorOf(() => loadConfig(file, { 'student.steps': 'many' }));
    expect(e.key).toBe('student.steps');
    fs.writeFileSync(file, 'run: a\nstudent: [1, 2\n');
    expect(errorOf(() => loadConfig(file)).message).toContain(file);
  });

  test('flag names are the kebab-case key paths', () => {
    expect(flagName('student.maxInputTokens')).toBe('student-max-input-tokens');
    expect(flagName('run')).toBe('run');
  });
});
