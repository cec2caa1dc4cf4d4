import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertReplaceable, createProgress, toJsonl, UsageError, writeDirAtomic } from '@kard/core';
import { datasetNameOf, loadQuestions, type DatasetFormat } from './datasets/load';
import { loadTokenCounter, type TokenCounter } from './examples/budget';
import type { PassageLookup } from '@kard/knowledge-base';
import { canSearchBatch, PrefetchedSearch } from './examples/batched-search';
import {
  buildExamples,
  type RationalePair,
  type RerankerRecordBuilder,
  type ScorerLike,
  type SearchLike,
} from './examples/kard-examples';
import { openKnowledge } from './examples/knowledge';
import { instructionFor, type PromptMode } from './examples/prompt';
import { splitByQuestion } from './examples/split';
import { importRationales, type RationaleFormat } from './teacher/import';
import { attachRationales } from './teacher/rationale';
import { verifyRationales, type VerifyReport } from './teacher/verify';
import type { TeacherMode } from './teacher/generate';

export interface PrepareConfig {
  /**
   * The questions: a file and its format (default: detected). `name` (default: told from the file) picks the default
   * instruction.
   */
  dataset: { file: string; format?: DatasetFormat | 'auto'; name?: string; onInvalid?: 'error' | 'skip' };
  /** Teacher rationales (needed unless `mode` is `ft`); `maxPerQuestion` keeps a generation cache's first n a question. */
  rationales?: Array<{ file: string; format: RationaleFormat; maxPerQuestion?: number }>;
  /** `kard` (default), `rd` (no knowledge) or `ft` (answer only). */
  mode?: PromptMode;
  /**
   * How the rationales were made, which decides how they are verified (`verifyRationales`): `answer` (default: the
   * teacher answered on its own; wrong or unparsable answers are dropped) or `rationalise` (it was shown the gold
   * answer, KARD's teacher; explanations that are empty or argue for another option are dropped).
   */
  teacherMode?: TeacherMode;
  /** Replaces the dataset's default instruction. */
  instruction?: string;
  /** Knowledge base for `kard`: passage files indexed with BM25. */
  knowledge?: { corpus: string[]; k1?: number; b?: number };
  /** Passages per input (default 1). */
  nKnowledge?: number;
  /** Query that retrieves the knowledge (default `rationale`, as KARD trains). */
  query?: 'rationale' | 'question';
  /**
   * BM25 top-k per list for the reranker's data (default 32 with a `rerankerRecord` builder, else 0; 0 writes none).
   * The records themselves are the reranker's format: `PrepareParts.rerankerRecord` builds them.
   */
  rerankerCandidates?: number;
  /** Student tokenizer folder (tokenizer.json); without it inputs are not fitted to a budget. */
  tokenizer?: string;
  /** Input budget in student tokens (default 512). */
  maxInputTokens?: number;
  /** Share of questions held out for validation (default 0.1), drawn with `seed` (default 42). */
  validationFraction?: number;
  seed?: number;
  /**
   * Output folder, replaced atomically: only when it is empty or a prepared-data folder (manifest.json with format
   * `kard-cot-data`), unless `overwrite`. Checked before any work and again when writing.
   */
  outDir: string;
  /** Replace `outDir` whatever it holds (the CLI's --overwrite). */
  overwrite?: boolean;
  /** Progress bars on stderr: forced on/off; default when stderr is a TTY. */
  progress?: boolean;
}

/** Ready-made parts instead of the ones `prepare` would build from the config (tests, callers with an index). */
export interface PrepareParts {
  retriever?: SearchLike & ScorerLike;
  passages?: Pick<PassageLookup, 'get'>;
  counter?: TokenCounter;
  /**
   * Builds the reranker's record of each kept rationale (@kard/reranker's `rerankerRecord`); without it no reranker
   * data is written.
   */
  rerankerRecord?: RerankerRecordBuilder;
}

export interface PreparedFile {
  path: string;
  records: number;
  bytes: number;
  sha256: string;
}

/** What a prepared-data folder is, for writeDirAtomic's ownership check. */
export const PREPARED_DATA_OWNER = {
  kind: 'prepared data folder',
  manifest: 'manifest.json',
  format: 'kard-cot-data',
} as const;

export interface PrepareManifest {
  format: typeof PREPARED_DATA_OWNER.format;
  version: 1;
  config: Omit<PrepareConfig, 'progress'>;
  tokenizer: { path: string; maxInputTokens: number } | null;
  instruction: string;
  counts: {
    questions: number;
    skippedQuestions: number;
    rationalesImported: number;
    rationalesUnmatched: number;
    verify: VerifyReport | null;
    examples: { train: number; validation: number };
    reranker: { train: number; validation: number };
    truncatedInputs: number;
    overBudgetInputs: number;
  };
  files: PreparedFile[];
}

/**
 * Raw benchmark + teacher rationales + knowledge base -> the student's JSONL: load and check the questions,
 * import and verify the rationales, retrieve knowledge, format and fit each example, split by question
 * (seeded) and write train/validation (and the reranker's data) with a manifest, all in one atomic folder swap.
 */
export async function prepare(config: PrepareConfig, parts: PrepareParts = {}): Promise<PrepareManifest> {
  const replace = { ...PREPARED_DATA_OWNER, overwrite: config.overwrite };
  assertReplaceable(config.outDir, replace);
  const mode = config.mode ?? 'kard';
  const builder = parts.rerankerRecord;
  const rerankerK = config.rerankerCandidates ?? (builder ? 32 : 0);
  if (mode === 'kard' && rerankerK > 0 && !builder)
    throw new UsageError(
      `prepare: rerankerCandidates ${rerankerK} needs a reranker record builder (PrepareParts.rerankerRecord, e.g. ` +
        `@kard/reranker's rerankerRecord)`,
    );
  const loaded = loadQuestions(config.dataset.file, {
    format: config.dataset.format,
    onInvalid: config.dataset.onInvalid,
  });
  const instruction =
    config.instruction ??
    instructionFor(config.dataset.name ?? datasetNameOf(config.dataset.file, config.dataset.format));

  let imported = 0;
  let unmatched = 0;
  let verify: VerifyReport | null = null;
  let kept: ReturnType<typeof verifyRationales>['kept'] = [];
  if (mode !== 'ft') {
    if (!config.rationales?.length)
      throw new UsageError(`prepare: mode "${mode}" needs teacher rationales (config.rationales)`);
    const all = config.rationales.flatMap((r) =>
      importRationales(r.file, r.format, { maxPerQuestion: r.maxPerQuestion }),
    );
    imported = all.length;
    if (loaded.skipped.length > 0 && all.some((r) => r.questionIndex !== undefined)) {
      const first = loaded.skipped[0];
      throw new UsageError(
        `prepare: rationales matched by position (a response folder) need every question of ` +
          `${config.dataset.file} loaded, but ${loaded.skipped.length} records were left out (the first at ` +
          `${first.file}:${first.line}: ${first.reason}), which would tie later rationales to the wrong questions`,
      );
    }
    const attached = attachRationales(loaded.questions, all);
    unmatched = attached.unmatched;
    const verified = verifyRationales(loaded.questions, attached.rationales, config.teacherMode ?? 'answer');
    verify = verified.report;
    kept = verified.kept;
  }

  let retriever = parts.retriever;
  let passages = parts.passages;
  if (mode === 'kard' && !retriever) {
    if (!config.knowledge?.corpus.length)
      throw new UsageError('prepare: mode "kard" needs a knowledge base (config.knowledge.corpus)');
    const bar = createProgress({ label: 'index', unit: 'passages', show: config.progress });
    const knowledge = await openKnowledge({ ...config.knowledge, onProgress: (n) => bar.update(n) });
    bar.stop();
    retriever = knowledge.index;
    passages = knowledge.passages;
  }
  const counter =
    parts.counter ?? (config.tokenizer ? await loadTokenCounter(path.resolve(config.tokenizer)) : undefined);
  const maxInputTokens = config.maxInputTokens ?? 512;

  // a retriever that answers batches (Bm25Index.searchBatch, a threaded one) gets each chunk's queries together
  const batched = mode === 'kard' && canSearchBatch(retriever) ? new PrefetchedSearch(retriever) : undefined;
  if (batched) retriever = batched;
  const nKnowledge = config.nKnowledge ?? 1;
  const prefetch = batched
    ? (pairs: RationalePair[]) =>
        batched.prefetch(
          pairs.flatMap((p) => [
            { query: config.query === 'question' ? p.question : p.rationale, k: nKnowledge },
            ...(builder && rerankerK > 0
              ? [
                  { query: p.rationale, k: rerankerK },
                  { query: p.question, k: rerankerK },
                ]
              : []),
          ]),
        )
    : undefined;
  const total = mode === 'ft' ? loaded.questions.length : kept.length;
  const bar = createProgress({ label: 'examples', total, unit: 'examples', show: config.progress });
  const built = await buildExamples(loaded.questions, kept, {
    mode,
    instruction,
    retriever,
    passages,
    nKnowledge: config.nKnowledge,
    query: config.query,
    rerankerRecord: mode === 'kard' && rerankerK > 0 ? (pair) => builder!(pair, retriever!, rerankerK) : undefined,
    counter,
    maxInputTokens,
    prefetch,
    onProgress: (done) => bar.update(done),
  });
  bar.stop();

  const seed = config.seed ?? 42;
  const fraction = config.validationFraction ?? 0.1;
  const examples = splitByQuestion(built.examples, fraction, seed);
  const reranker = splitByQuestion(built.reranker, fraction, seed);
  const { progress: _progress, overwrite: _overwrite, ...recorded } = config;
  const manifest: PrepareManifest = {
    format: PREPARED_DATA_OWNER.format,
    version: 1,
    config: recorded,
    tokenizer: counter ? { path: counter.name, maxInputTokens } : null,
    instruction,
    counts: {
      questions: loaded.questions.length,
      skippedQuestions: loaded.skipped.length,
      rationalesImported: imported,
      rationalesUnmatched: unmatched,
      verify,
      examples: { train: examples.train.length, validation: examples.validation.length },
      reranker: { train: reranker.train.length, validation: reranker.validation.length },
      truncatedInputs: built.examples.filter((e) => e.truncated).length,
      overBudgetInputs: built.examples.filter((e) => e.overBudget).length,
    },
    files: [],
  };
  const outputs: Array<[string, unknown[]]> = [
    ['train.jsonl', examples.train],
    ['validation.jsonl', examples.validation],
  ];
  if (built.reranker.length > 0)
    outputs.push(['reranker.train.jsonl', reranker.train], ['reranker.validation.jsonl', reranker.validation]);

  await writeDirAtomic(
    config.outDir,
    (dir) => {
      for (const [name, records] of outputs) {
        const text = toJsonl(records);
        writeFileSync(path.join(dir, name), text);
        manifest.files.push({
          path: name,
          records: records.length,
          bytes: Buffer.byteLength(text),
          sha256: createHash('sha256').update(text).digest('hex'),
        });
      }
      writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    },
    replace,
  );
  return manifest;
}
