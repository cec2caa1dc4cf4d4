// Every config path a stage reads while it runs is declared in stage-reads.ts (by the stage or a stage it builds on,
// whose hash is part of its own), so a forgotten path cannot leave a stale stage looking done. Each stage runs once,
// tiny, on a config that records every option read, with every optional stage switched on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, RunFolder, startBackend, TrainingPipeline, type KardConfig } from '../src';
import type { StageOptions } from '../src/run/run-folder';
import { declaredPaths } from '../src/stages/stage-inputs';
import { STAGE_READS, type StageKind, type StageReads } from '../src/stages/stage-reads';

const root = path.resolve(__dirname, '../../..');
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `cfg` behind a proxy that reports the dotted path of every option read. */
function recording<T extends object>(cfg: T, onRead: (key: string) => void, prefix = ''): T {
  return new Proxy(cfg, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return value;
      if (isRecord(value)) return recording(value, onRead, `${prefix}${key}.`);
      onRead(prefix + key);
      return value;
    },
  });
}

const kindOf = (stage: string): StageKind =>
  stage.startsWith('prepare-') ? 'prepare' : /^student-(ft|rd|kard)$/.test(stage) ? 'student' : (stage as StageKind);
const declaration = (kind: StageKind): StageReads =>
  kind === 'prepare' ? STAGE_READS.prepare('kard') : STAGE_READS[kind]();

/** A stage's declared paths and those of every stage it builds on. */
function covered(kind: StageKind): Set<string> {
  const decl = declaration(kind);
  return new Set([...declaredPaths(decl), ...Object.values(decl.after ?? {}).flatMap((k) => [...covered(k)])]);
}

test('no stage reads a config path that neither it nor a stage it builds on declares', async () => {
  const cwd = process.cwd();
  process.chdir(root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-reads-'));
  try {
    const corpus = path.join(dir, 'corpus.jsonl');
    const lines = fs.readFileSync('datasets/wikipedia/strategyqa_paragraphs.jsonl', 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(corpus, `${lines.slice(0, 400).join('\n')}\n`);
    const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
      run: path.join(dir, 'run'),
      'knowledge.corpus': [corpus],
      'dataset.trainLimit': 16,
      'student.vocabSize': 700,
      'student.pretrainSteps': 1,
      'student.pretrainLength': 16,
      'student.baseSteps': 1,
      'student.steps': 1,
      'reranker.maxSteps': 1,
      'reranker.ensemble': 2,
      'reranker.hybrid': true,
    });
    await startBackend(cfg);
    const reads = new Map<string, Set<string>>();
    const running: string[] = [];
    // reads while a stage's work runs are that stage's (the work of one stage never runs another)
    class Recording extends RunFolder {
      override async stage<R>(
        stage: string,
        inputs: unknown,
        fn: (workDir: string) => Promise<R>,
        opts?: StageOptions,
      ) {
        return super.stage(
          stage,
          inputs,
          async (work) => {
            running.push(stage);
            try {
              return await fn(work);
            } finally {
              running.pop();
            }
          },
          opts,
        );
      }
    }
    const watched = recording(cfg, (key) => {
      const stage = running[running.length - 1];
      if (stage) reads.set(stage, (reads.get(stage) ?? new Set()).add(key));
    }) as KardConfig;
    await new TrainingPipeline(watched, new Recording(cfg.run)).runStage('all');

    expect([...reads.keys()].sort()).toEqual([
      'index',
      'prepare-ft',
      'prepare-kard',
      'prepare-rd',
      'reranker',
      'student-base',
      'student-ft',
      'student-init',
      'student-kard',
      'student-rd',
      'student-tokenizer',
    ]);
    const undeclared = [...reads].flatMap(([stage, keys]) =>
      [...keys].filter((k) => !covered(kindOf(stage)).has(k)).map((k) => `${stage}: ${k}`),
    );
    expect(undeclared).toEqual([]);
    // the recording is real: the student reads its learning rate, the reranker its own
    expect(reads.get('student-ft')).toContain('student.lr');
    expect(reads.get('reranker')).toContain('reranker.lr');
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
