// A scratch student's own stages on a tiny config: the tokenizer trimmed before prepare (which then budgets inputs
// in the trimmed tokens), denoising pre-training into student/init, and the warm start and students built on it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createScratchT5, fromPretrained, loadTokenizer } from '@kard/student';
import { loadConfig, RunFolder, startBackend, TrainingPipeline } from '../src';
import { distance } from './params';

const root = path.resolve(__dirname, '../../..');

test(
  'vocabSize + pretrainSteps: trimmed tokenizer -> prepare in its tokens -> student/init -> base -> students; ' +
    'reruns only what changed',
  async () => {
    const cwd = process.cwd();
    process.chdir(root);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-scratch-'));
    try {
      const corpus = path.join(dir, 'corpus.jsonl');
      const lines = fs
        .readFileSync('datasets/wikipedia/strategyqa_paragraphs.jsonl', 'utf8')
        .split('\n')
        .filter(Boolean);
      fs.writeFileSync(corpus, `${lines.slice(0, 1500).join('\n')}\n`);
      const runDir = path.join(dir, 'run');
      const over = {
        run: runDir,
        'knowledge.corpus': [corpus],
        'student.vocabSize': 700,
        'student.pretrainSteps': 4,
        'student.pretrainLength': 16,
        'student.baseSteps': 2,
        'student.methods': ['rd', 'kard'],
      };
      const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), over);
      await startBackend(cfg);
      const run = new RunFolder(runDir);
      await new TrainingPipeline(cfg, run).runStage('student');

      const tok = await loadTokenizer(run.path('student', 'tokenizer'));
      expect(tok.vocabSize).toBe(700);
      const full = await loadTokenizer(path.resolve('models/t5-tokenizer'));
      // prepare counted the KARD inputs in the trimmed tokenizer's tokens (more of them than the full one needs)
      const kard = fs
        .readFileSync(run.path('data', 'kard', 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      let longer = 0;
      for (const e of kard.slice(0, 10)) {
        expect(e.inputTokens).toBe(tok.encode(e.input).length);
        expect(e.inputTokens).toBeLessThanOrEqual(cfg.student.maxInputTokens);
        if (e.inputTokens > full.encode(e.input).length) longer++;
      }
      expect(longer).toBeGreaterThan(5);

      const marker = (stage: string) => JSON.parse(fs.readFileSync(run.path('.stages', `${stage}.json`), 'utf8'));
      expect(marker('student-init').result.steps).toBe(4);
      expect(marker('student-base').result.origin).toMatch(/pre-trained scratch start/);
      // every saved student has the trimmed vocabulary and tokenizer
      for (const m of ['init', 'base', 'rd', 'kard']) {
        expect(JSON.parse(fs.readFileSync(run.path('student', m, 'config.json'), 'utf8')).vocab_size).toBe(700);
        expect((await loadTokenizer(run.path('student', m))).vocabSize).toBe(700);
      }
      // the base continued from student/init: nearer to it than to a fresh initialisation
      const params = (m: string) => fromPretrained(run.path('student', m)).model.namedParameters();
      const fresh = createScratchT5(tok, cfg.student, cfg.seed).namedParameters();
      expect(distance(params('base'), params('init'))).toBeLessThan(distance(params('base'), fresh));

      // more pre-training reruns init, base and the students, not the tokenizer or prepare
      const log = () =>
        fs
          .readFileSync(run.path('log.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
      const n = log().length;
      await new TrainingPipeline(
        loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), { ...over, 'student.pretrainSteps': 5 }),
        run,
      ).runStage('student');
      expect(
        log()
          .slice(n)
          .filter((e) => e.event === 'stage-start')
          .map((e) => e.stage),
      ).toEqual(['student-init', 'student-base', 'student-rd', 'student-kard']);
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  180_000,
);
