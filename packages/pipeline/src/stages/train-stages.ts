import * as os from 'node:os';
// The training stages. Each reads only what it declares (stage-reads.ts), and its marker's hash is computed from that,
// so the hash says exactly when it is stale:
// index <- corpus; student-tokenizer <- corpus + tokenizer (scratch students only; + training questions under
// student.vocabFrom knowledge+questions); prepare-<m> <- index + dataset +
// rationales (+ student-tokenizer); student-init <- corpus (+ student-tokenizer; scratch students only); student-base
// <- prepare-rd (+ student-init); student-<m> <- prepare-<m> (+ student-base, else student-init); reranker <-
// prepare-kard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { instructionFor, loadQuestions, prepare, promptTexts, type KardExample } from '@kard/cot-data';
import { generateTeacherRationales, teacherCostLine } from './teacher-stage';
import type { Passage, PassageLookup, PassageStore } from '@kard/knowledge-base';
import { initBackend, type BackendName } from '@kard/nn';
import { readJsonl, writeFileAtomic } from '@kard/core';
import { rerankerRecord, type RerankerRecord } from '@kard/reranker';
import { BM25_INDEX_VERSION, Bm25Index } from '@kard/retriever';
import { datasetName, type KardConfig, type StudentMethod } from '../config/schema';
import type { RunFolder } from '../run/run-folder';
import {
  denoisingDraws,
  denoisingExample,
  encodePrompt,
  encodeTarget,
  isHubId,
  loadStudent,
  loadTokenizer,
  openStudent,
  saveStudent,
  trimUnigramTokenizer,
  type Student,
  type StudentSource,
  type TokenizedExample,
} from '@kard/student';
import { trainStudent, writeLossCurve } from './student-training';
import { trainRerankerStage } from './reranker-stage';
import { checkPrebuiltIndex, datasetSubset, loadIndexFor, openPassages } from './sources';
import { threadedSearch } from './threaded-search';
import { StagePlan, type PlannedStage } from './stage-plan';
import { scratchGpt2Positions } from './stage-reads';

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
  private corpus?: PassageStore;
  /** Each stage's inputs under this config (what kard-eval checks the markers against). */
  readonly plan: StagePlan;
  constructor(
    readonly cfg: KardConfig,
    readonly run: RunFolder,
    readonly hooks: StageHooks = {},
  ) {
    this.plan = new StagePlan(cfg);
  }

  /** Runs a planned stage through the run folder (skipped when done with the same inputs and intact outputs). */
  private async runPlanned<R>(planned: PlannedStage, fn: (work: string) => Promise<R>): Promise<string> {
    const out = await this.run.stage(planned.stage, planned.inputs, fn, { outputs: planned.outputs });
    return out.marker.inputsHash;
  }

  /** The corpus, through the run's passage store (built on first use) or the prebuilt knowledge.store. */
  async passages(): Promise<PassageLookup> {
    return this.store();
  }

  private async store(): Promise<PassageStore> {
    this.corpus ??= await openPassages(this.run, this.plan);
    return this.corpus;
  }

  /** Releases the passage store's file. */
  close(): void {
    this.corpus?.close();
    this.corpus = undefined;
  }

  async index(): Promise<string> {
    this.dropOutdatedIndex();
    return this.runPlanned(await this.plan.index(), async () => {
      // a prebuilt index (knowledge.index) is shared by runs: checked against the store, never rebuilt
      if (this.cfg.knowledge.index)
        return {
          prebuilt: path.resolve(this.cfg.knowledge.index),
          ...checkPrebuiltIndex(this.cfg, await this.store()),
        };
      const { k1, b } = this.cfg.knowledge;
      // All cores, segments spilled beside the run's other work files; the index equals the one-thread build's.
      const index = await Bm25Index.build(await this.passages(), {
        k1,
        b,
        threads: os.availableParallelism(),
        tempDir: this.run.path('.work'),
        target: this.run.path('index'),
        onProgress: (n) => this.hooks.onProgress?.('index', n, 0),
      });
      await index.save(this.run.path('index'), { overwrite: true }); // a stage output: ours by construction
      return { passages: index.size, terms: index.termCount };
    });
  }

  /**
   * A run's index written in an older index format (a @kard/retriever upgrade) is removed, so the index stage
   * builds it again: the same passages give the same stage hash, so the stages after it stay done.
   */
  private dropOutdatedIndex(): void {
    if (this.cfg.knowledge.index) return;
    const manifest = this.run.path('index', 'manifest.json');
    if (!fs.existsSync(manifest)) return;
    let version: unknown;
    try {
      version = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
    } catch {
      return; // not ours to judge here: the stage's output check reports it
    }
    if (version === BM25_INDEX_VERSION) return;
    process.stderr.write(
      `[kard-train] ${path.dirname(manifest)} has index format version ${String(version)}; ` +
        `rebuilding it as version ${BM25_INDEX_VERSION} (the later stages stay done)\n`,
    );
    fs.rmSync(path.dirname(manifest), { recursive: true, force: true });
  }

  async prepare(method: StudentMethod): Promise<string> {
    await this.index();
    await this.tokenizer();
    const { dataset, teacher, student, reranker, seed } = this.cfg;
    return this.runPlanned(await this.plan.prepare(method), async (work) => {
      const trainFile = datasetSubset(dataset.train, dataset.trainLimit, work);
      const rationales =
        method === 'ft'
          ? undefined
          : teacher.endpoint
            ? [
                {
                  file: await this.teacher(trainFile),
                  format: 'generation-cache' as const,
                  // a cache holds the first teacher.samples of each question that prepare reads
                  maxPerQuestion: teacher.samples,
                },
              ]
            : [{ file: path.resolve(teacher.rationales!), format: teacher.format }];
      const index = loadIndexFor(this.cfg, this.run, await this.store());
      // the search threads end with the stage: they hold the index, which the training stages after it do not need
      const manifest = await prepare(
        {
          dataset: {
            file: trainFile,
            format: dataset.format as 'auto',
            name: datasetName(this.cfg),
            onInvalid: 'skip',
          },
          teacherMode: teacher.mode,
          rationales,
          mode: method,
          nKnowledge: student.nKnowledge,
          rerankerCandidates: method === 'kard' ? reranker.candidates : 0,
          tokenizer: budgetTokenizer(student.model, this.scratchTokenizer()),
          maxInputTokens: student.maxInputTokens,
          validationFraction: dataset.validationFraction,
          seed,
          outDir: this.run.path('data', method),
          overwrite: true, // a stage output: ours by construction
          progress: this.cfg.progress,
        },
        {
          retriever: threadedSearch(index, (done, total) => this.hooks.onProgress?.(`retrieve-${method}`, done, total)),
          passages: await this.passages(),
          rerankerRecord,
        },
      ).finally(() => index.close());
      return manifest.counts;
    });
  }

  /** Generates the teacher's rationales (teacher.endpoint) and logs what they cost; returns the cache file. */
  private async teacher(trainFile: string): Promise<string> {
    // the cost estimate, made before the first request, stays beside the progress until the actual cost replaces it
    let estimate = '';
    const { cacheFile, summary } = await generateTeacherRationales(
      this.cfg,
      trainFile,
      this.run.path('teacher'),
      (d, t) => this.hooks.onProgress?.('teacher', d, t, estimate),
      (line) => this.hooks.onProgress?.('teacher', 0, 0, (estimate = line)),
    );
    this.hooks.onProgress?.('teacher', summary.questions, summary.questions, teacherCostLine(summary));
    return cacheFile;
  }

  /**
   * A scratch student's tokenizer (student.vocabSize > 0): the configured one trimmed to the pieces the knowledge
   * base (and with vocabFrom knowledge+questions, the training questions) uses most, so the output layer of a small
   * model is 4k rows instead of 32k. It comes before prepare, whose
   * input budget is counted in the student's tokens. Undefined when the student keeps its tokenizer whole.
   */
  async tokenizer(): Promise<string | undefined> {
    const s = this.cfg.student;
    const planned = await this.plan.tokenizer();
    if (!planned) return undefined;
    return this.runPlanned(planned, async () => {
      const full = await loadTokenizer(path.resolve(s.tokenizer));
      const counts = new Map<number, number>();
      const passages = await this.passages();
      let done = 0;
      for (const p of passages) {
        for (const id of full.encode(passageText(p, COUNT_CHARS))) counts.set(id, (counts.get(id) ?? 0) + 1);
        if (++done % 1000 === 0) this.hooks.onProgress?.('student-tokenizer', done, passages.size, 'counting pieces');
      }
      let questions: number | undefined;
      if (s.vocabFrom === 'knowledge+questions') {
        // the questions as prepare reads them (skipping invalid ones, the first trainLimit): their words keep whole
        // pieces instead of being spelled in fragments the knowledge base happens to use
        const { dataset } = this.cfg;
        const loaded = loadQuestions(path.resolve(dataset.train), {
          format: dataset.format as 'auto',
          onInvalid: 'skip',
        }).questions.slice(0, dataset.trainLimit);
        const instruction = instructionFor(datasetName(this.cfg));
        for (const q of loaded)
          for (const text of promptTexts(instruction, q))
            for (const id of full.encode(text)) counts.set(id, (counts.get(id) ?? 0) + 1);
        questions = loaded.length;
      }
      const trimmed = await trimUnigramTokenizer(path.resolve(s.tokenizer), this.run.path('student', 'tokenizer'), {
        size: Math.min(s.vocabSize, full.vocabSize),
        counts,
        overwrite: true, // a stage output: ours by construction
      });
      return { vocabSize: trimmed.vocabSize, from: full.vocabSize, piecesUsed: counts.size, questions };
    });
  }

  /** The scratch student's tokenizer folder: the trimmed one when there is one. */
  private scratchTokenizer(): string {
    return this.cfg.student.vocabSize ? this.run.path('student', 'tokenizer') : this.cfg.student.tokenizer;
  }

  /**
   * A scratch student's pre-training (student.pretrainSteps > 0): a random T5 taught to rebuild windows of the
   * knowledge base's passages with spans masked (the part T5's pre-training plays for a real checkpoint: without
   * it a model this small never learns to copy from its input, so retrieved knowledge cannot help it). A GPT-2 reads
   * the same examples as prompt (masked window) ++ target (the window). Every student then starts from student/init.
   * Undefined when there is none.
   */
  async init(): Promise<string | undefined> {
    const s = this.cfg.student;
    const planned = await this.plan.init();
    if (!planned) return undefined;
    await this.tokenizer();
    return this.runPlanned(planned, async (work) => {
      const opened = await openStudent(this.studentSource('scratch'));
      const tok = opened.tokenizer;
      const sentinelIds = Array.from({ length: 100 }, (_, i) => tok.tokenId(`<extra_id_${i}>`)).filter(
        (id): id is number => id !== undefined,
      );
      // A window needs pretrainLength tokens; a dozen characters a token is ample and spares tokenizing long articles
      // whole.
      const tokens = (p: Passage) => tok.encode(passageText(p, 12 * s.pretrainLength)).slice(0, -1);
      const opts = {
        count: s.pretrainSteps * s.batchSize,
        length: s.pretrainLength,
        noise: s.pretrainNoise,
        meanSpan: 3,
        sentinelIds,
        eosId: tok.eosTokenId,
        seed: this.cfg.seed,
      };
      // Two passes, so memory holds a token count per passage, not the tokenized corpus: count every passage's
      // tokens, draw the windows from the counts, then tokenize only the drawn passages (the same examples as
      // drawing from the tokenized corpus).
      const store = await this.store();
      const lengths = new Uint32Array(store.size);
      let row = 0;
      for (const p of store) {
        lengths[row++] = tokens(p).length;
        if (row % 1000 === 0) this.hooks.onProgress?.('student-init', row, store.size, 'counting tokens');
      }
      const draws = denoisingDraws(lengths, opts);
      const drawn = new Map<number, number[]>();
      for (const d of [...new Set(draws.map((d) => d.doc))].sort((a, b) => a - b)) drawn.set(d, tokens(store.at(d)));
      const examples = draws.map((d, e) => denoisingExample(d, drawn.get(d.doc)!, e, opts));
      const result = await this.trainStudentStage(
        'student-init',
        examples,
        s.pretrainSteps,
        opened,
        work,
        this.run.path('student', 'init'),
      );
      return {
        ...result,
        objective:
          `rebuild ${s.pretrainLength}-token windows of the knowledge base with ${s.pretrainNoise} of their ` +
          `tokens masked in spans`,
      };
    });
  }

  /** Where a student starts: student/init when a scratch student has one, else the configured model. */
  private async startingPoint(init: string | undefined) {
    const s = this.cfg.student;
    if (init)
      return {
        ...(await loadStudent(this.run.path('student', 'init'))),
        origin: `pre-trained scratch start ${this.run.path('student', 'init')}`,
      };
    return openStudent(this.studentSource(s.model));
  }

  /** The configured student: its architecture (a scratch model's; a folder's is checked against it when set). */
  private studentSource(model: string): StudentSource {
    const s = this.cfg.student;
    const { dModel, dFf, numLayers, numHeads } = s;
    const nPositions = s.arch === 'gpt2' ? scratchGpt2Positions(s.maxInputTokens, s.maxTargetTokens) : undefined;
    return {
      model,
      arch: s.arch,
      tokenizer: this.scratchTokenizer(),
      scratch: { dModel, dFf, numLayers, numHeads, nPositions },
      seed: this.cfg.seed,
    };
  }

  /**
   * The shared warm start (student.baseSteps > 0): one student trained on the rationales without knowledge (the
   * rd data), from which every method's student then fine-tunes. Undefined when there is none.
   */
  async base(): Promise<string | undefined> {
    const s = this.cfg.student;
    const planned = await this.plan.base();
    if (!planned) return undefined;
    const init = await this.init();
    await this.prepare('rd');
    return this.runPlanned(planned, async (work) => {
      const opened = await this.startingPoint(init);
      return this.trainStudentStage(
        'student-base',
        this.examples('rd', opened),
        s.baseSteps,
        opened,
        work,
        this.run.path('student', 'base'),
        this.examples('rd', opened, 'validation'),
      );
    });
  }

  async student(method: StudentMethod): Promise<string> {
    const base = await this.base();
    const init = base ? undefined : await this.init();
    await this.prepare(method);
    const s = this.cfg.student;
    const stage = `student-${method}`;
    return this.runPlanned(await this.plan.student(method), async (work) => {
      const opened = base
        ? {
            ...(await loadStudent(this.run.path('student', 'base'))),
            origin: `warm start ${this.run.path('student', 'base')}`,
          }
        : await this.startingPoint(init);
      return this.trainStudentStage(
        stage,
        this.examples(method, opened),
        s.steps,
        opened,
        work,
        this.run.path('student', method),
        this.examples(method, opened, 'validation'),
      );
    });
  }

  /** data/<method>/<split>.jsonl encoded for the student's architecture (empty when the split does not exist). */
  private examples(
    method: StudentMethod,
    { model, tokenizer }: Student,
    split: 'train' | 'validation' = 'train',
  ): TokenizedExample[] {
    const s = this.cfg.student;
    const file = this.run.path('data', method, `${split}.jsonl`);
    if (split === 'validation' && !fs.existsSync(file)) return [];
    return readJsonl<KardExample>(file).map((e, i) => ({
      id: String(i),
      inputIds: encodePrompt(model, tokenizer, e.input, s.maxInputTokens),
      targetIds: encodeTarget(model, tokenizer, e.target, s.maxTargetTokens),
    }));
  }

  /** Trains `opened` for `steps` on `pairs`, resuming from the work folder's checkpoint; saves to `outDir`. */
  private async trainStudentStage(
    stage: string,
    pairs: TokenizedExample[],
    steps: number,
    opened: Student & { origin: string },
    work: string,
    outDir: string,
    validation: TokenizedExample[] = [],
  ) {
    const s = this.cfg.student;
    const { model, tokenizer, origin } = opened;
    const result = await trainStudent(model, pairs, {
      steps,
      batchSize: s.batchSize,
      lr: s.lr,
      warmupRatio: s.warmupRatio,
      weightDecay: s.weightDecay,
      seed: this.cfg.seed,
      checkpointDir: path.join(work, 'checkpoints'),
      checkpointEvery: s.checkpointEvery,
      maxGradNorm: 1,
      tokenizerDir: tokenizer.dir,
      validation: validation.length ? validation : undefined,
      onStep: (i) =>
        this.hooks.onProgress?.(
          stage,
          i.step,
          i.steps,
          `loss ${i.loss.toFixed(3)} | ${i.tokensPerSecond.toFixed(0)} tok/s`,
        ),
      onCheckpoint: (step) => {
        this.run.log.write('checkpoint', { stage, step });
        this.hooks.onCheckpoint?.(stage, step);
      },
    });
    if (result.resumedFromStep > 0)
      this.run.log.write('resumed', {
        stage,
        step: result.resumedFromStep,
        message: `resumed from checkpoint at step ${result.resumedFromStep}`,
      });
    await saveStudent(opened, outDir, { overwrite: true }); // a stage output: ours by construction
    // what kard-eval's loss-curves.svg draws (the work folder with the trainer's logs goes when the stage ends)
    writeLossCurve(path.join(work, 'checkpoints'), outDir, validation.length);
    const parameters = model.numParameters();
    model.dispose();
    return {
      origin,
      examples: pairs.length,
      parameters,
      steps: result.steps,
      resumedFromStep: result.resumedFromStep,
      firstLoss: result.losses[0],
      finalLoss: result.finalLoss,
      validationLoss: result.validationLoss,
      tokensPerSecond: result.tokensPerSecond,
    };
  }

  async reranker(): Promise<string> {
    await this.prepare('kard');
    return this.runPlanned(await this.plan.reranker(), async (work) => {
      const records = readJsonl<RerankerRecord>(this.run.path('data', 'kard', 'reranker.train.jsonl'));
      return trainRerankerStage(
        this.cfg,
        records,
        await this.passages(),
        this.run.path('reranker'),
        path.join(work, 'checkpoints'),
        (step, total, loss) => this.hooks.onProgress?.('reranker', step, total, `loss ${loss.toFixed(3)}`),
        this.cfg.reranker.hybrid
          ? loadIndexFor(this.cfg, this.run, await this.store()).attachPassages(null)
          : undefined,
      );
    });
  }

  /** Runs one stage (with what it depends on) or all of them. */
  async runStage(name: StageName, methods = this.cfg.student.methods): Promise<void> {
    if (name === 'index' || name === 'all') await this.index();
    if (name === 'prepare' || name === 'all')
      for (const m of new Set<StudentMethod>([...methods, 'kard'])) await this.prepare(m);
    if (name === 'reranker' || name === 'all') await this.reranker();
    if (name === 'student' || name === 'all') for (const m of methods) await this.student(m);
  }
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The text a passage is read as for counting pieces and pre-training ("Title: text"), cut to `chars` characters. */
function passageText(p: Passage, chars: number): string {
  return `${p.title ? `${p.title}: ` : ''}${p.text}`.slice(0, chars);
}

/**
 * Characters of each passage counted for vocabulary trimming (98 % of the shipped paragraphs are shorter than 1,000).
 */
const COUNT_CHARS = 2000;

/**
 * The tokenizer that fits prepared inputs to the budget: the scratch tokenizer or the model folder's own (a Hub model
 * is not downloaded yet at prepare time, so its inputs are cut at training time instead).
 */
function budgetTokenizer(model: string, tokenizer: string): string | undefined {
  if (model === 'scratch') return tokenizer;
  return isHubId(model) ? undefined : model;
}
