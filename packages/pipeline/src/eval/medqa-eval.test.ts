// kard-eval on the shipped MedQA test set with the shipped PubMed abstracts as its knowledge base, for a student
// trained elsewhere (eval.studentDir): here a tiny scratch T5 saved as a Hugging Face folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStudent, saveStudent } from '@kard/student';
import { validateConfig } from '../config/validate';
import { RunFolder } from '../run/run-folder';
import { TrainingPipeline } from '../stages/train-stages';
import { runEvaluation } from './run-eval';

const root = path.resolve(__dirname, '../../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-medqa-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('MedQA test + PubMed abstracts: a student from elsewhere is evaluated, with the medical instruction', async () => {
  const studentDir = path.join(tmp, 'student');
  const tokenizer = path.join(root, 'models/t5-tokenizer');
  const scratch = { dModel: 8, dFf: 16, numLayers: 1, numHeads: 1 };
  await saveStudent(await openStudent({ model: 'scratch', tokenizer, scratch, seed: 1 }), studentDir);
  const cfg = validateConfig({
    run: path.join(tmp, 'run'),
    // no dataset.name: the loader tells MedQA
    dataset: {
      train: path.join(root, 'datasets/medqa/test.jsonl'),
      eval: path.join(root, 'datasets/medqa/test.jsonl'),
      evalLimit: 3,
    },
    knowledge: { corpus: [path.join(root, 'datasets/pubmed/pubmedqa_abstracts.jsonl')] },
    student: { methods: ['ft'], tokenizer, maxInputTokens: 64 },
    eval: { methods: ['kard-bm25'], studentDir, maxNewTokens: 3, batchSize: 3, answerFallback: 'none' },
  });
  const pipeline = new TrainingPipeline(cfg, new RunFolder(cfg.run));
  await pipeline.index(); // `kard-train index`: the one stage a student from elsewhere needs
  pipeline.close();
  const report = await runEvaluation(cfg);
  expect(report.dataset).toMatchObject({ name: 'medqa', questions: 3 });
  expect(report.methods.map((m) => [m.name, m.n])).toEqual([['kard-bm25', 3]]);
  const predictions = fs
    .readFileSync(path.join(cfg.run, 'eval', 'predictions.kard-bm25.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const gold = fs
    .readFileSync(path.join(root, 'datasets/medqa/test.jsonl'), 'utf8')
    .split('\n')
    .slice(0, 3)
    .map((l) => JSON.parse(l).answer_idx);
  expect(predictions.map((p) => p.gold)).toEqual(gold);
  // every passage given to the student is a PubMed abstract
  for (const p of predictions) expect(p.passages[0].id).toMatch(/^PMID:\d+$/);
}, 60_000);
