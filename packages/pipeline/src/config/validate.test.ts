import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flagHelp } from '../cli/options';
import { schemaLeaves, type KardConfig } from './schema';
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
    expect(errorOf(() => validateConfig({ ...minimal, student: { steps: 0 } })).message).toMatch(
      /student\.steps: expected an integer in \[1, inf\], got 0/,
    );
    expect(errorOf(() => validateConfig({ ...minimal, student: { steps: 2.5 } })).key).toBe('student.steps');
    expect(errorOf(() => validateConfig({ ...minimal, eval: { methods: ['kard', 'ft'] } })).message).toMatch(
      /eval\.methods: expected a list of ft, rd, kard-bm25, kard-reranker/,
    );
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
    fs.writeFileSync(
      file,
      'run: a\ndataset: {train: t, eval: d}\nknowledge: {corpus: [c]}\nteacher: {rationales: r}\nstudent: {steps: ' +
        '10}\n',
    );
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

describe('the schema', () => {
  // written from the hand-kept schema this zod schema replaced (commit 89d685b): every option keeps its flag, type,
  // bounds, default and doc
  const before = JSON.parse(
    fs.readFileSync(path.join(__dirname, '../../test/fixtures/config-options-v1.json'), 'utf8'),
  ) as Array<{ path: string }>;

  test('every option of the previous schema, with the same kind, bounds, default and doc, in the same order', () => {
    const now = schemaLeaves().map(({ path: p, leaf }) => {
      const { meta: _meta, ...rest } = leaf;
      return { path: p, ...rest };
    });
    expect(now).toEqual(before);
  });

  test('the inferred type is what validation returns: defaults filled, optional keys absent', () => {
    const c: KardConfig = validateConfig(minimal);
    expect(c.reranker.ensemble).toBe(1);
    expect('maxSteps' in c.reranker).toBe(false);
    expect(Object.keys(c)).toEqual([
      'run',
      'seed',
      'backend',
      'dataset',
      'knowledge',
      'teacher',
      'student',
      'reranker',
      'eval',
    ]);
  });

  test(
    'YAML shapes: an empty entry takes its default, one ' + 'string is a list of one, an empty section is refused',
    () => {
      expect(validateConfig({ ...minimal, student: { lr: null } }).student.lr).toBe(3e-4);
      expect(validateConfig({ ...minimal, knowledge: { corpus: 'one.jsonl' } }).knowledge.corpus).toEqual([
        'one.jsonl',
      ]);
      expect(errorOf(() => validateConfig({ ...minimal, student: { methods: 'zz' } })).message).toBe(
        'student.methods: expected a list of ft, rd, kard, got "zz"',
      );
      expect(errorOf(() => validateConfig({ ...minimal, dataset: null })).message).toBe(
        'dataset: expected a mapping of keys, got null',
      );
    },
  );

  test("the first problem in schema order is the one reported, an unknown key before the section's known ones", () => {
    expect(errorOf(() => validateConfig({ ...minimal, student: { steps: 0, lrr: 1 } })).key).toBe('student.lrr');
    expect(errorOf(() => validateConfig({ ...minimal, eval: { sc: 0 }, student: { steps: 0 } })).key).toBe(
      'student.steps',
    );
    expect(errorOf(() => validateConfig({ ...minimal, seed: -1, zz: 1 })).key).toBe('zz');
  });

  test('flag help is the description, with the values of an enum and the default', () => {
    const leaf = (p: string) => schemaLeaves().find((l) => l.path === p)!.leaf;
    expect(flagHelp('student.lr', leaf('student.lr'))).toBe('student.lr: peak AdamW learning rate (default 0.0003)');
    expect(flagHelp('student.methods', leaf('student.methods'))).toBe(
      'student.methods: students to train (comma-separated, of: ft, rd, kard) (default ["ft","rd","kard"])',
    );
    expect(flagHelp('backend', leaf('backend'))).toMatch(
      /^backend: tfjs backend .*\(one of: auto, tfjs-node-gpu, webgpu, tfjs-node, native-cpu, wasm, cpu\) \(default "auto"\)$/,
    );
  });
});
