// A decoder-only student through the whole pipeline (the reference's --lm_type gpt): kard-train all on a tiny config
// with student.arch gpt2, then kard-eval with self-consistency; every method's student is a GPT-2 Hugging Face folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodePrompt, encodeTarget, loadStudent } from '@kard/student';
import { loadConfig, RunFolder, runEvaluation, startBackend, TrainingPipeline } from '../src';
import { writeCorpusSlice } from './corpus-slice';

const root = path.resolve(__dirname, '../../..');

test('student.arch gpt2: kard-train all + kard-eval (sc 2) on a tiny config, FT / RD / KARD students are GPT-2', async () => {
  const cwd = process.cwd();
  process.chdir(root); // the config's paths are relative to the repository root
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-gpt2-'));
  try {
    const corpus = writeCorpusSlice(dir);
    const runDir = path.join(dir, 'run');
    const cfg = loadConfig(path.join(__dirname, 'fixtures', 'tiny-gpt2.config.yaml'), {
      run: runDir,
      'knowledge.corpus': [corpus],
    });
    await startBackend(cfg);
    await new TrainingPipeline(cfg, new RunFolder(runDir)).runStage('all');

    for (const m of ['ft', 'rd', 'kard']) {
      const folder = path.join(runDir, 'student', m);
      const config = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        model_type: 'gpt2',
        architectures: ['GPT2LMHeadModel'],
        n_embd: 16,
        vocab_size: 700,
      });
      expect(config.n_positions).toBe(1024);
      expect(fs.existsSync(path.join(folder, 'tokenizer.json'))).toBe(true);
      const marker = JSON.parse(fs.readFileSync(path.join(runDir, '.stages', `student-${m}.json`), 'utf8'));
      expect(marker.result.origin).toMatch(/scratch GPT-2/);
      expect(marker.result.steps).toBe(2);
      expect(marker.result.finalLoss).toBeGreaterThan(0);
    }
    // training read prompt ++ </s> ++ rationale ++ </s>: the validation loss is the rationale's alone, and finite
    const { model, tokenizer } = await loadStudent(path.join(runDir, 'student', 'kard'));
    const example = JSON.parse(
      fs.readFileSync(path.join(runDir, 'data', 'kard', 'train.jsonl'), 'utf8').split('\n')[0],
    );
    expect(encodePrompt(model, tokenizer, example.input).at(-1)).toBe(tokenizer.eosTokenId);
    expect(encodeTarget(model, tokenizer, example.target).at(-1)).toBe(tokenizer.eosTokenId);
    model.dispose();

    await runEvaluation(cfg);
    const report = JSON.parse(fs.readFileSync(path.join(runDir, 'eval', 'report.json'), 'utf8'));
    expect(report.methods.map((m: { name: string }) => m.name)).toEqual(['ft', 'rd', 'kard-bm25', 'kard-reranker']);
    for (const m of report.methods) {
      expect(m.n).toBe(4);
      expect(m.sc).toBe(m.name === 'ft' ? 1 : 2);
      const preds = fs
        .readFileSync(path.join(runDir, 'eval', `predictions.${m.name}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(preds).toHaveLength(4);
      expect(preds.filter((p: { correct: boolean }) => p.correct).length).toBe(Math.round(m.accuracy * 4));
      // two sampled rationales per question under self-consistency; every question answered (parsed or scored)
      if (m.name !== 'ft') expect(preds.every((p: { samples: string[] }) => p.samples.length === 2)).toBe(true);
      expect(preds.every((p: { predicted: string | null }) => p.predicted === 'A' || p.predicted === 'B')).toBe(true);
    }
    expect(report.rationaleLoss.kardWithKnowledge).toBeGreaterThan(0);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
