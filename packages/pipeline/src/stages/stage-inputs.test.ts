import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, validateConfig } from '../config/validate';
import { hashJson } from '../run/hash';
import type { RunFolder } from '../run/run-folder';
import { configSection, derived, fingerprints, stageInputs } from './stage-inputs';
import { StagePlan } from './stage-plan';
import { TrainingPipeline } from './train-stages';

const root = path.resolve(__dirname, '../../../..');

/** Every stage's inputs hash for a config, without running any stage (a run folder that only records). */
async function stageHashes(cfg: ReturnType<typeof loadConfig>): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const recorder = {
    path: (...p: string[]) => path.join(cfg.run, ...p),
    stage: async (name: string, inputs: unknown) => {
      hashes[name] = hashJson(inputs);
      return { skipped: true, marker: { inputsHash: hashes[name] } };
    },
  };
  await new TrainingPipeline(cfg, recorder as unknown as RunFolder).runStage('all');
  return hashes;
}

describe('stage hashes', () => {
  // The hashes the hand-written stage inputs gave (commit 89d685b) for the demo config and variants that switch on
  // or off every optional stage and input: existing run folders keep their finished stages.
  const variants = JSON.parse(
    fs.readFileSync(path.join(root, 'packages/pipeline/test/fixtures/stage-hashes-v1.json'), 'utf8'),
  ) as Array<{
    name: string;
    config: string;
    overrides: Record<string, unknown>;
    stages: Record<string, string>;
  }>;

  test.each(variants.map((v) => [v.name, v] as const))(
    '%s: the same hash for every stage as before the declarations',
    async (_, v) => {
      const cwd = process.cwd();
      process.chdir(root); // the configs' paths, and so the fingerprints' keys, are relative to the repository root
      try {
        const cfg = loadConfig(v.config, { ...v.overrides, run: 'runs/hash-check' });
        expect(await stageHashes(cfg)).toEqual(v.stages);
      } finally {
        process.chdir(cwd);
      }
    },
  );

  test.each(variants.map((v) => [v.name, v] as const))(
    '%s: StagePlan (what kard-eval checks markers against) gives the same hashes without a pipeline',
    async (_, v) => {
      const cwd = process.cwd();
      process.chdir(root);
      try {
        const plan = new StagePlan(loadConfig(v.config, { ...v.overrides, run: 'runs/hash-check' }));
        const planned = await Promise.all([
          plan.index(),
          plan.tokenizer(),
          ...(['ft', 'rd', 'kard'] as const).flatMap((m) => [plan.prepare(m), plan.student(m)]),
          plan.init(),
          plan.base(),
          plan.reranker(),
        ]);
        // the plan covers every method; the run trains the config's methods
        const hashes = Object.fromEntries(
          planned.filter((p) => p !== undefined && p.stage in v.stages).map((p) => [p!.stage, p!.hash]),
        );
        expect(hashes).toEqual(v.stages);
      } finally {
        process.chdir(cwd);
      }
    },
  );

  test('a changed option changes exactly the stages that read it, and those built on them', async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const demo = 'tools/demo/demo.config.yaml';
      const before = await stageHashes(loadConfig(demo, { run: 'runs/hash-check' }));
      const changed = async (key: string, value: unknown) => {
        const after = await stageHashes(loadConfig(demo, { run: 'runs/hash-check', [key]: value }));
        return Object.keys(after).filter((s) => after[s] !== before[s]);
      };
      expect(await changed('reranker.lr', 0.01)).toEqual(['reranker']);
      expect(await changed('reranker.ensemble', 2)).toEqual(['reranker']);
      expect(await changed('student.steps', 301)).toEqual(['student-ft', 'student-rd', 'student-kard']);
      expect(await changed('student.pretrainNoise', 0.2)).toEqual([
        'student-init',
        'student-base',
        'student-ft',
        'student-rd',
        'student-kard',
      ]);
      expect((await changed('knowledge.k1', 1.2)).sort()).toEqual(
        Object.keys(before)
          .filter((s) => s !== 'student-tokenizer' && s !== 'student-init')
          .sort(),
      );
      expect(await changed('reranker.loss', 'ce')).toEqual(['reranker']); // the demo pins kl
      expect(await changed('reranker.tauModel', 50)).toEqual(['reranker']);
      expect(await changed('eval.sc', 3)).toEqual([]);
      expect(await changed('eval.decoding', 'sample')).toEqual([]);
      expect(await changed('eval.query', 'question')).toEqual([]);
      // the training questions join the trimmed vocabulary: the tokenizer, and all that is counted in its pieces
      expect((await changed('student.vocabFrom', 'knowledge+questions')).sort()).toEqual(
        Object.keys(before)
          .filter((s) => s !== 'index')
          .sort(),
      );
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('stageInputs', () => {
  const cfg = validateConfig({
    run: 'r',
    dataset: { train: 't', eval: 'd' },
    knowledge: { corpus: ['c'] },
    teacher: { rationales: 'r' },
    student: { lr: 0.5 },
  });

  test('config paths, groups and derived values land under their keys; unset values are left out', async () => {
    const inputs = await stageInputs(
      cfg,
      {
        reads: {
          lr: 'student.lr',
          teacher: configSection('teacher', {
            except: ['samples', 'mode', 'temperature', 'maxTokens', 'concurrency', 'pricePrompt', 'priceCompletion'],
          }),
          twice: derived(['student.lr'], (lr) => 2 * (lr as number)),
        },
        params: { method: 'ft' },
        after: { up: 'index' },
      },
      { up: 'h' },
    );
    expect(inputs).toEqual({
      up: 'h',
      method: 'ft',
      lr: 0.5,
      teacher: { rationales: 'r', format: 'flan-cot', endpoint: undefined, model: undefined },
      twice: 1,
    });
  });

  test('an option marked hashOnlyWhenSet is left out at its default and hashed when set', async () => {
    const decl = { reads: { n: 'reranker.ensemble' } };
    expect((await stageInputs(cfg, decl)).n).toBeUndefined();
    expect((await stageInputs({ ...cfg, reranker: { ...cfg.reranker, ensemble: 3 } }, decl)).n).toBe(3);
  });

  test('file fingerprints are sha256 by configured path; a missing file names itself', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-fp-'));
    const file = path.join(dir, 'c.jsonl');
    fs.writeFileSync(file, 'abc');
    const withFile = { ...cfg, knowledge: { ...cfg.knowledge, corpus: [file] } };
    const inputs = await stageInputs(withFile, { reads: { corpus: fingerprints(['knowledge.corpus']) } });
    // sha256("abc"), the textbook test vector
    expect(inputs.corpus).toEqual({ [file]: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
    await expect(stageInputs(cfg, { reads: { corpus: fingerprints(['knowledge.corpus']) } })).rejects.toThrow(
      /file not found/,
    );
  });

  test('a path the schema lacks, a key declared twice and undeclared upstream stages are refused', async () => {
    await expect(stageInputs(cfg, { reads: { x: 'student.lrr' } })).rejects.toThrow(
      /student\.lrr is not a config option/,
    );
    await expect(stageInputs(cfg, { reads: { up: 'seed' }, after: { up: 'index' } }, { up: 'h' })).rejects.toThrow(
      /declared twice/,
    );
    await expect(stageInputs(cfg, { reads: {} }, { up: 'h' })).rejects.toThrow(/differ from the declared/);
  });
});
