// The whole pipeline on a TINY config (40 questions, 1-layer models, 2 steps): every stage, then evaluation.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createScratchT5, fromPretrained, loadTokenizer } from '@kard/student';
import { loadConfig, RunFolder, runEvaluation, startBackend, TrainingPipeline } from '../src';
import { distance } from './params';

const root = path.resolve(__dirname, '../../..');

test(
  'kard-train all (with a shared warm start) + kard-eval on a tiny config: report.json has all four methods with ' +
    'numbers in range',
  async () => {
    const cwd = process.cwd();
    process.chdir(root); // the config's paths are relative to the repository root
    try {
      const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-e2e-'));
      const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
        run: runDir,
        'student.baseSteps': 3,
        'student.lr': 0.01,
      });
      await startBackend(cfg);
      const run = new RunFolder(runDir);
      await new TrainingPipeline(cfg, run).runStage('all');
      for (const d of [
        'index',
        'data/ft',
        'data/rd',
        'data/kard',
        'student/base',
        'student/ft',
        'student/rd',
        'student/kard',
        'reranker',
      ])
        expect(fs.existsSync(path.join(runDir, d))).toBe(true);

      // every method's student fine-tuned from the shared base: it sits nearer the base (3 steps from the random
      // initialisation) than that initialisation (its own 2 steps + the base's 3)
      const marker = (stage: string) => JSON.parse(fs.readFileSync(run.path('.stages', `${stage}.json`), 'utf8'));
      expect(marker('student-base').result.steps).toBe(3);
      const base = fromPretrained(run.path('student', 'base')).model.namedParameters();
      const init = createScratchT5(
        await loadTokenizer(path.resolve(cfg.student.tokenizer)),
        cfg.student,
        cfg.seed,
      ).namedParameters();
      for (const m of ['ft', 'rd', 'kard']) {
        expect(marker(`student-${m}`).result.origin).toMatch(/warm start/);
        const trained = fromPretrained(run.path('student', m)).model.namedParameters();
        expect(distance(trained, base)).toBeLessThan(distance(trained, init));
      }

      // a second `all` finds every stage done
      const before = fs.readFileSync(run.path('log.jsonl'), 'utf8').split('\n').length;
      await new TrainingPipeline(cfg, run).runStage('all');
      const again = fs
        .readFileSync(run.path('log.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .slice(before - 1)
        .map((l) => JSON.parse(l).event);
      expect(again.every((e) => e === 'stage-skip')).toBe(true);

      // a changed base reruns the base and the students built on it
      const more = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
        run: runDir,
        'student.baseSteps': 4,
        'student.lr': 0.01,
      });
      const n = fs.readFileSync(run.path('log.jsonl'), 'utf8').trim().split('\n').length;
      await new TrainingPipeline(more, run).runStage('student', ['ft']);
      const events = fs
        .readFileSync(run.path('log.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .slice(n)
        .map((l) => JSON.parse(l));
      expect(events.filter((e) => e.event === 'stage-start').map((e) => e.stage)).toEqual([
        'student-base',
        'student-ft',
      ]);
      await new TrainingPipeline(cfg, run).runStage('student', ['ft']); // back to the evaluated setting

      // the reference's inference: self-consistency (here 3 samples), several passages, and the oracle upper bound
      // (StrategyQA's facts as the test-time rationale); eval settings leave the stage hashes alone
      const evalCfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), {
        run: runDir,
        'student.baseSteps': 3,
        'student.lr': 0.01,
        'eval.sc': 3,
        'eval.nDocs': 3,
        'eval.methods': 'ft,rd,kard-bm25,kard-reranker,kard-oracle',
      });
      expect(evalCfg.eval.decoding).toBe('sample');
      await runEvaluation(evalCfg);
      const report = JSON.parse(fs.readFileSync(path.join(runDir, 'eval', 'report.json'), 'utf8'));
      expect(report.methods.map((m: { name: string }) => m.name)).toEqual([
        'ft',
        'rd',
        'kard-bm25',
        'kard-reranker',
        'kard-oracle',
      ]);
      expect(report.paired).toHaveLength(10); // every two of five methods
      expect(report.majorityClass.rate).toBeGreaterThanOrEqual(0.5);
      expect(report.lossCurves).toEqual(['base', 'ft', 'rd', 'kard']);
      // the curve holds every training step of the student (2) and a validation point at the last one
      const curve = JSON.parse(fs.readFileSync(run.path('student', 'kard', 'loss-curve.json'), 'utf8'));
      expect(curve.train.map((p: { step: number }) => p.step)).toEqual([1, 2]);
      expect(curve.validation.at(-1).step).toBe(2);
      expect(fs.existsSync(path.join(runDir, 'eval', 'loss-curves.svg'))).toBe(true);
      for (const m of report.methods) {
        expect(m.n).toBe(6);
        expect(m.accuracy).toBeGreaterThanOrEqual(0);
        expect(m.accuracy).toBeLessThanOrEqual(1);
        expect(m.ci95[0]).toBeLessThanOrEqual(m.accuracy);
        expect(m.ci95[1]).toBeGreaterThanOrEqual(m.accuracy);
        expect(m.unparsed).toBeGreaterThanOrEqual(0);
        expect(m.unparsed).toBeLessThanOrEqual(m.n);
        const preds = fs
          .readFileSync(path.join(runDir, 'eval', `predictions.${m.name}.jsonl`), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(preds).toHaveLength(6);
        expect(preds.filter((p: { correct: boolean }) => p.correct).length).toBe(Math.round(m.accuracy * 6));
        expect(preds.filter((p: { answeredBy: string }) => p.answeredBy !== 'parsed').length).toBe(m.unparsed);
        expect(preds.filter((p: { answeredBy: string }) => p.answeredBy === 'scored').length).toBe(m.scored);
        // with the scoring fallback every question gets one of its options
        expect(preds.every((p: { predicted: string | null }) => p.predicted === 'A' || p.predicted === 'B')).toBe(true);
        const kard = m.name.startsWith('kard');
        expect(preds.every((p: { passages: unknown[] }) => p.passages.length === (kard ? 3 : 0))).toBe(true);
        for (const p of preds) {
          expect(p.passagesInInput).toBeGreaterThanOrEqual(kard ? 1 : 0);
          expect(p.passagesInInput).toBeLessThanOrEqual(p.passages.length);
          // ft answers greedily; the others sample three rationales and vote
          expect(p.samples?.length).toBe(m.name === 'ft' ? undefined : 3);
        }
      }
      const rr = report.retrieval.reranking;
      for (const s of [rr.bm25, rr.reranker]) {
        expect(s.top1).toBeLessThanOrEqual(s.top3);
        expect(s.top3).toBeLessThanOrEqual(s.top5);
        expect(s.top5).toBeLessThanOrEqual(100);
      }
      const loss = report.rationaleLoss;
      for (const k of ['kardWithKnowledge', 'kardWithoutKnowledge', 'rdWithoutKnowledge'])
        expect(loss[k]).toBeGreaterThan(0);
      expect(fs.readFileSync(path.join(runDir, 'eval', 'report.md'), 'utf8')).toMatch(/\| kard-reranker \| [\d.]+% \|/);
    } finally {
      process.chdir(cwd);
    }
  },
  300000,
);
