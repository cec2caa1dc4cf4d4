// The training stages. Each reads only what its inputs name, so its marker's hash says exactly when it is stale:
// index <- corpus; prepare-<m> <- index + dataset + rationales; student-<m> <- prepare-<m>; reranker <- prepare-kard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepare, type KardExample, type RerankerRecord } from '@kard/cot-data';
import { generateTeacherRationales } from './teacher-stage';
import type { Passage } from '@kard/knowledge-base';
import { initBackend, writeFileAtomic, type BackendName } from '@kard/nn';
import { Bm25Index } from '@kard/retriever';
import type { KardConfig, StudentMethod } from '../config/schema';
import type { RunFolder } from '../run/run-folder';
import type { StudentModel } from '@kard/student';
import { loadStudent, openStudent, saveStudent } from '../student/model';
import type { StudentTokenizer } from '../student/tokenizer';
import { encodePair } from '../student/seq2seq-batch';
import { trainStudent } from '../student/train';
import { isHubId } from '../student/hub';
import { trainRerankerStage } from './reranker-stage';
import { datasetSubset, hashInputs, readCorpus, readJsonl } from './sources';

export const STAGES = ['index', 'prepare', 'student', 'reranker', 'all'] as const;
export type StageName = (typeof STAGES)[number];

export interface StageHooks {
  /** A progress line or bar update (the app draws it). */
  onProgress?: (stage: string, done: number, total: number, info?: string) => void;
  /** Student checkpoints (the kill-and-rerun test waits for one). */
  onCheckpoint?: (stage: string, step: number) => void;
}

/** Starts the configured backend (auto: the fastest that starts); each comes with a linear-time embedding gradient. */
export async function startBackend(cfg: KardConfig): Promise<string> {
  const info = await initBackend(cfg.backend === 'auto' ? {} : { backend: cfg.backend as BackendName });
  return info.name;
}

export class TrainingPipeline {
  private corpus?: Map<string, Passage>;
  constructor(readonly cfg: KardConfig, readonly run: RunFolder, readonly hooks: StageHooks = {}) {}

  private async passages(): Promise<Map<string, Passage>> {
    this.corpus ??= await readCorpus(this.cfg.knowledge.corpus);
    return this.corpus;
  }

  async index(): Promise<string> {
    const { corpus, k1, b } = this.cfg.knowledge;
    const inputs = { corpus: await hashInputs(corpus), k1, b };
    const out = await this.run.stage('index', inputs, async () => {
      const index = await Bm25Index.build((await this.passages()).values(), { k1, b, onProgress: (n) => this.hooks.onProgress?.('index', n, 0) });
      await index.save(this.run.path('index'));
      return { passages: index.size, terms: index.termCount };
    });
    return out.marker.inputsHash;
  }

  async prepare(method: StudentMethod): Promise<string> {
    const indexHash = await this.index();
    const { dataset, teacher, student, reranker, seed } = this.cfg;
    const inputs = {
      indexHash, method, seed, dataset: { ...dataset, eval: undefined, evalLimit: undefined }, data: await hashInputs([dataset.train, ...(teacher.rationales ? [teacher.rationales] : [])]),
      teacher, tokenizer: student.model === 'scratch' ? student.tokenizer : student.model, maxInputTokens: student.maxInputTokens, nKnowledge: student.nKnowledge,
      candidates: method === 'kard' ? reranker.candidates : 0,
    };
    const out = await this.run.stage(`prepare-${method}`, inputs, async (work) => {
      const trainFile = datasetSubset(dataset.train, dataset.trainLimit, work);
      const rationales = method === 'ft' ? undefined : teacher.endpoint
        ? [{ file: await generateTeacherRationales(this.cfg, trainFile, this.run.path('teacher'), (d, t) => this.hooks.onProgress?.('teacher', d, t)), format: 'generation-cache' as const }]
        : [{ file: path.resolve(teacher.rationales!), format: teacher.format }];
      const index = Bm25Index.load(this.run.path('index')).attachPassages(await this.passages());
      const manifest = await prepare({
        dataset: { file: trainFile, format: dataset.format as 'auto', name: dataset.name, onInvalid: 'skip' },
        rationales,
        mode: method,
        nKnowledge: student.nKnowledge,
        rerankerCandidates: method === 'kard' ? reranker.candidates : 0,
        tokenizer: budgetTokenizer(student.model, student.tokenizer),
        maxInputTokens: student.maxInputTokens,
        validationFraction: dataset.validationFraction,
        seed,
        outDir: this.run.path('data', method),
        progress: this.cfg.progress,
      }, { retriever: index, passages: await this.passages() });
      return manifest.counts;
    });
    return out.marker.inputsHash;
  }

  /**
   * The shared warm start (student.baseSteps > 0): one student trained on the rationales without knowledge (the
   * rd data), from which every method's student then fine-tunes. Undefined when there is none.
   */
  async base(): Promise<string | undefined> {
    const s = this.cfg.student;
    if (!s.baseSteps) return undefined;
    const prepared = await this.prepare('rd');
    const inputs = { prepared, student: { ...s, methods: undefined, steps: undefined }, seed: this.cfg.seed };
    const out = await this.run.stage('student-base', inputs, async (work) => {
      const opened = await openStudent({ model: s.model, tokenizer: s.tokenizer, scratch: s, seed: this.cfg.seed });
      return this.trainStudentStage('student-base', 'rd', s.baseSteps, opened, work, this.run.path('student', 'base'));
    });
    return out.marker.inputsHash;
  }

  async student(method: StudentMethod): Promise<string> {
    const base = await this.base();
    const prepared = await this.prepare(method);
    const s = this.cfg.student;
    const inputs = { prepared, base, student: { ...s, methods: undefined }, seed: this.cfg.seed };
    const stage = `student-${method}`;
    const out = await this.run.stage(stage, inputs, async (work) => {
      const opened = base
        ? { ...(await loadStudent(this.run.path('student', 'base'))), origin: `warm start ${this.run.path('student', 'base')}` }
        : await openStudent({ model: s.model, tokenizer: s.tokenizer, scratch: s, seed: this.cfg.seed });
      return this.trainStudentStage(stage, method, s.steps, opened, work, this.run.path('student', method));
    });
    return out.marker.inputsHash;
  }

  /** Trains `opened` for `steps` on data/<method>/, resuming from the work folder's checkpoint; saves to `outDir`. */
  private async trainStudentStage(stage: string, method: StudentMethod, steps: number, opened: { model: StudentModel; tokenizer: StudentTokenizer; origin: string },
    work: string, outDir: string) {
    const s = this.cfg.student;
    const { model, tokenizer, origin } = opened;
    const encode = (file: string) => readJsonl<KardExample>(file).map((e) => encodePair(tokenizer, e.input, e.target, s.maxInputTokens, s.maxTargetTokens));
    const pairs = encode(this.run.path('data', method, 'train.jsonl'));
    const validationFile = this.run.path('data', method, 'validation.jsonl');
    const result = await trainStudent(model, pairs, {
      steps, batchSize: s.batchSize, lr: s.lr, warmupRatio: s.warmupRatio, weightDecay: s.weightDecay, seed: this.cfg.seed,
      checkpointDir: path.join(work, 'checkpoints'), checkpointEvery: s.checkpointEvery, maxGradNorm: 1, tokenizerDir: tokenizer.dir,
      validation: fs.existsSync(validationFile) ? encode(validationFile) : undefined,
      onStep: (i) => this.hooks.onProgress?.(stage, i.step, i.steps, `loss ${i.loss.toFixed(3)} | ${i.tokensPerSecond.toFixed(0)} tok/s`),
      onCheckpoint: (step) => {
        this.run.log.write('checkpoint', { stage, step });
        this.hooks.onCheckpoint?.(stage, step);
      },
    });
    if (result.resumedFromStep > 0) this.run.log.write('resumed', { stage, step: result.resumedFromStep, message: `resumed from checkpoint at step ${result.resumedFromStep}` });
    await saveStudent(model, tokenizer, outDir);
    const parameters = model.numParameters();
    model.dispose();
    return {
      origin, examples: pairs.length, parameters, steps: result.steps, resumedFromStep: result.resumedFromStep,
      firstLoss: result.losses[0], finalLoss: result.finalLoss, validationLoss: result.validationLoss, tokensPerSecond: result.tokensPerSecond,
    };
  }

  async reranker(): Promise<string> {
    const prepared = await this.prepare('kard');
    const inputs = { prepared, reranker: this.cfg.reranker, seed: this.cfg.seed };
    const out = await this.run.stage('reranker', inputs, async (work) => {
      const records = readJsonl<RerankerRecord>(this.run.path('data', 'kard', 'reranker.train.jsonl'));
      return trainRerankerStage(this.cfg, records, await this.passages(), this.run.path('reranker'), path.join(work, 'checkpoints'),
        (step, total, loss) => this.hooks.onProgress?.('reranker', step, total, `loss ${loss.toFixed(3)}`),
        this.cfg.reranker.hybrid ? Bm25Index.load(this.run.path('index')) : undefined);
    });
    return out.marker.inputsHash;
  }

  /** Runs one stage (with what it depends on) or all of them. */
  async runStage(name: StageName, methods = this.cfg.student.methods): Promise<void> {
    if (name === 'index' || name === 'all') await this.index();
    if (name === 'prepare' || name === 'all') for (const m of new Set<StudentMethod>([...methods, 'kard'])) await this.prepare(m);
    if (name === 'reranker' || name === 'all') await this.reranker();
    if (name === 'student' || name === 'all') for (const m of methods) await this.student(m);
  }
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The tokenizer that fits prepared inputs to the budget: the scratch tokenizer or the model folder's own (a Hub model is not downloaded yet at prepare time, so its inputs are cut at training time instead). */
function budgetTokenizer(model: string, tokenizer: string): string | undefined {
  if (model === 'scratch') return tokenizer;
  return isHubId(model) ? undefined : model;
}
