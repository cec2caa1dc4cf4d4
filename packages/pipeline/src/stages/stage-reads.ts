// What each training stage reads, declared once: its stage marker's hash is computed from these declarations, and a
// test runs every stage on a config that records what it touches, so a path read but not declared fails it.
// The hash keys keep the layout stage markers have had since the first run folders, so those folders keep their
// hashes (test/fixtures/stage-hashes-v1.json holds the hashes the hand-written inputs gave).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolvedDatasetName, type StudentMethod } from '../config/schema';
import { configSection, derived, fingerprint, fingerprints, type HashSource } from './stage-inputs';

/** The stages of the training pipeline (a stage kind; prepare and student run once per method). */
export type StageKind =
  'passages' | 'index' | 'student-tokenizer' | 'prepare' | 'student-init' | 'student-base' | 'student' | 'reranker';

export interface StageReads {
  /**
   * The hash's entries taken from the config, by key: a config path, a group of them, a value or files derived from
   * them.
   */
  reads: Record<string, HashSource>;
  /** Values the stage is run for that are not config (prepare's method). */
  params?: Record<string, unknown>;
  /** The stages whose hashes go into this one, by key. */
  after?: Record<string, StageKind>;
  /** Config paths the stage reads that cannot change what it makes (checkpoint cadence, progress bars): not hashed. */
  unhashed?: string[];
}

/**
 * reranker.init's weights: a pre-trained starting point counts by its weights, so re-running `kard-reranker pretrain`
 * reruns the stage.
 */
function rerankerInitWeights(init: unknown): string | undefined {
  if (typeof init !== 'string') return undefined;
  const file = path.resolve(init, 'encoder', 'model.safetensors');
  if (!fs.existsSync(file))
    throw new Error(
      `reranker.init: ${file} does not exist; make a starting point with \`kard-reranker pretrain --out ${init}\``,
    );
  return file;
}

/**
 * A prebuilt folder (knowledge.store, knowledge.index) counts by its manifest.json, not its gigabytes: a store's
 * records its files' sizes and build time, an index's the sha256 of every array, so a rebuilt folder changes the
 * hash. Unset, the entry is absent and hashes as before the option existed.
 */
const manifestOf = (dir: unknown): string | undefined =>
  typeof dir === 'string' ? path.resolve(dir, 'manifest.json') : undefined;

/** The passages: the corpus files' fingerprints, or a prebuilt store's manifest. */
const passageReads = () => ({
  corpus: fingerprints(['knowledge.corpus']),
  store: fingerprint('knowledge.store', manifestOf),
});

/** A scratch GPT-2's learned positions: room for the longest prompt + target, and at least GPT-2's 1024. */
export function scratchGpt2Positions(maxInputTokens: number, maxTargetTokens: number): number {
  return Math.max(1024, maxInputTokens + maxTargetTokens);
}

export const STAGE_READS = {
  passages: (): StageReads => ({
    reads: passageReads(),
  }),
  index: (): StageReads => ({
    reads: {
      ...passageReads(),
      k1: 'knowledge.k1',
      b: 'knowledge.b',
      prebuilt: fingerprint('knowledge.index', manifestOf),
    },
  }),
  'student-tokenizer': (): StageReads => ({
    reads: {
      ...passageReads(),
      tokenizer: fingerprints(['student.tokenizer'], (dir) => [path.join(dir as string, 'tokenizer.json')]),
      vocabSize: 'student.vocabSize',
      // the training questions count only under vocabFrom knowledge+questions (unset at its default: older hashes hold)
      vocabFrom: 'student.vocabFrom',
      questions: fingerprints(['student.vocabFrom', 'dataset.train'], (from, train) => (from ? [train] : undefined)),
      questionsRead: derived(
        ['student.vocabFrom', 'dataset.format', 'dataset.trainLimit', 'dataset.name', 'dataset.train', 'dataset.eval'],
        (from, format, trainLimit, name, train, evalFile) =>
          from ? { format, trainLimit, name: resolvedDatasetName(name, train, format, evalFile) } : undefined,
      ),
    },
  }),
  prepare: (method: StudentMethod): StageReads => ({
    params: { method },
    after: { indexHash: 'index', tokenizerHash: 'student-tokenizer' },
    reads: {
      seed: 'seed',
      dataset: {
        ...configSection('dataset', { except: ['eval', 'evalLimit', 'name'] }),
        // the name as resolved (an unset name is told from the file), so a StrategyQA config keeps its hash
        name: derived(['dataset.name', 'dataset.train', 'dataset.format', 'dataset.eval'], resolvedDatasetName),
      },
      data: fingerprints(['dataset.train', 'teacher.rationales']),
      teacher: {
        ...configSection('teacher', {
          except: ['samples', 'mode', 'temperature', 'concurrency', 'pricePrompt', 'priceCompletion'],
        }),
        // generation ran at 0.7 before the temperature was an option; an import has none
        temperature: derived(['teacher.temperature', 'teacher.endpoint'], (t, endpoint) =>
          endpoint === undefined || t === 0.7 ? undefined : t,
        ),
        // n matters only when generating (an import reads every rationale of the file)
        samples: derived(['teacher.samples', 'teacher.endpoint'], (n, endpoint) => (endpoint === undefined ? 1 : n)),
        // run folders from before the mode existed were made in `answer` mode, and keep their hash under it; so do
        // imported FLAN rationales, whose yes/no answer column both modes check alike
        mode: derived(['teacher.mode', 'teacher.endpoint', 'teacher.format'], (mode, endpoint, format) =>
          mode === 'answer' || (endpoint === undefined && format === 'flan-cot') ? undefined : mode,
        ),
      },
      // the tokenizer that counts the input budget: a scratch student's, else the model's own
      tokenizer: derived(['student.model', 'student.tokenizer'], (model, tokenizer) =>
        model === 'scratch' ? tokenizer : model,
      ),
      maxInputTokens: 'student.maxInputTokens',
      nKnowledge: 'student.nKnowledge',
      candidates: derived(['reranker.candidates'], (candidates) => (method === 'kard' ? candidates : 0)),
    },
    unhashed: ['progress', 'teacher.concurrency', 'teacher.pricePrompt', 'teacher.priceCompletion'],
  }),
  'student-init': (): StageReads => ({
    after: { tokenizer: 'student-tokenizer' },
    reads: {
      ...passageReads(),
      seed: 'seed',
      student: {
        dModel: 'student.dModel',
        dFf: 'student.dFf',
        numLayers: 'student.numLayers',
        numHeads: 'student.numHeads',
        // a trimmed tokenizer counts by its stage's hash
        tokenizer: derived(['student.vocabSize', 'student.tokenizer'], (vocabSize, tokenizer) =>
          vocabSize ? undefined : tokenizer,
        ),
        pretrainSteps: 'student.pretrainSteps',
        arch: 'student.arch',
        // a scratch GPT-2's learned positions (a T5 has none: undefined, out of the hash)
        nPositions: derived(
          ['student.arch', 'student.maxInputTokens', 'student.maxTargetTokens'],
          (arch, input, target) =>
            arch === 'gpt2' ? scratchGpt2Positions(input as number, target as number) : undefined,
        ),
        pretrainLength: 'student.pretrainLength',
        pretrainNoise: 'student.pretrainNoise',
        batchSize: 'student.batchSize',
        lr: 'student.lr',
        warmupRatio: 'student.warmupRatio',
        weightDecay: 'student.weightDecay',
      },
    },
    unhashed: ['student.checkpointEvery'],
  }),
  'student-base': (): StageReads => ({
    after: { prepared: 'prepare', init: 'student-init' },
    reads: { student: configSection('student', { except: ['methods', 'steps'] }), seed: 'seed' },
  }),
  student: (): StageReads => ({
    after: { prepared: 'prepare', base: 'student-base', init: 'student-init' },
    reads: { student: configSection('student', { except: ['methods'] }), seed: 'seed' },
  }),
  reranker: (): StageReads => ({
    after: { prepared: 'prepare' },
    reads: {
      reranker: configSection('reranker', { except: ['loss'] }),
      // kl was the only objective before reranker.loss existed: folders trained with it keep their hashes
      loss: derived(['reranker.loss'], (loss) => (loss === 'kl' ? undefined : loss)),
      initWeights: fingerprint('reranker.init', rerankerInitWeights),
      seed: 'seed',
    },
  }),
} satisfies Record<StageKind, (...args: never[]) => StageReads>;
