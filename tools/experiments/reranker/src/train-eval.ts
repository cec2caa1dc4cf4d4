// The StrategyQA experiment: train a reranker KARD's way and compare it with BM25-by-question on held-out questions,
// on one split (trainEval) or with k-fold cross-validation (crossValidate). Uses @kard/reranker's public API only.
import * as path from 'node:path';
import {
  BertTokenizer,
  NeuralReranker,
  RerankerEnsemble,
  accuracyFromRanks,
  compareWithBm25,
  createRerankerModel,
  rerankerComparison,
  saveMembers,
  trainMembers,
  type RankingAccuracy,
  type RerankerComparison,
  type RerankerModelOptions,
  type TrainedMember,
  type RerankerTrainerOptions,
} from '@kard/reranker';
import { loadStrategyQa, type StrategyQaData } from './strategyqa';

export interface TrainEvalOptions extends Omit<RerankerModelOptions, 'vocabSize' | 'seed'> {
  /** The shipped datasets folder (strategyqa, flan-cot, wikipedia). */
  datasetsDir: string;
  /** WordPiece tokenizer folder; for a pretrained encoder its own folder is used. */
  tokenizerDir: string;
  /** Use only the first N FLAN rationales (before the split); default all 2,061. */
  limit?: number;
  /** More FLAN CoT files (e.g. CREAK's) whose questions and rationales join the training split only. */
  extraTrain?: string[];
  /** Held-out fraction, taken from the end as KARD does (its split_set with ratio 0.95). */
  evalFraction: number;
  /** Training options (KARD's by default). */
  training: Partial<RerankerTrainerOptions>;
  /**
   * Train one model per seed (default: just `training.seed`) and rerank with their mean score (RerankerEnsemble);
   * each member is also evaluated alone.
   */
  seeds?: number[];
  /** Candidate draws per held-out question (compareWithBm25); their seeds start at the first training seed. */
  evalDraws?: number;
  /**
   * Save the trained reranker here (an ensemble: one folder per member, seed-N, and ensemble.json; loadRerankerFolder
   * reads both).
   */
  outDir?: string;
  /** Replace `outDir` even when it is not a reranker folder (a file, other files): the CLI's --overwrite. */
  overwrite?: boolean;
  log?: (line: string) => void;
}

export interface TrainEvalResult extends RerankerComparison {
  train: number;
  heldOut: number;
  steps: number;
  trainSeconds: number;
  finalLoss: number;
  /** With several seeds: each member alone, in seed order (the comparison above is their ensemble). */
  members?: Array<RerankerComparison & { seed: number }>;
}

export async function trainEval(opts: TrainEvalOptions): Promise<TrainEvalResult> {
  const data = await loadStrategyQa(opts);
  return trainEvalOn(data, opts);
}

/** Trains on `data.train` (one model per seed) and compares with BM25(question) on `data.heldOut`. */
export async function trainEvalOn(
  data: StrategyQaData,
  opts: Omit<TrainEvalOptions, 'datasetsDir' | 'limit' | 'evalFraction'>,
): Promise<TrainEvalResult> {
  const log = opts.log ?? (() => undefined);
  const train = [...data.train, ...data.extraTrain];
  log(
    `corpus: ${data.passages.size} passages; search spaces: ${train.length} training (${data.extraTrain.length} from ` +
      `extra files), ${data.heldOut.length} held-out questions`,
  );

  const pretrained = opts.encoder !== 'scratch';
  const tokenizer = await BertTokenizer.fromPretrained(pretrained ? opts.encoder : opts.tokenizerDir);
  const seeds = opts.seeds ?? [opts.training.seed ?? 42];
  const ensemble = seeds.length > 1;
  const draws = opts.evalDraws ?? 1;
  const trained = await trainMembers(
    seeds,
    (seed) => createRerankerModel({ ...opts, vocabSize: tokenizer.vocabSize, seed }),
    tokenizer,
    train,
    opts.training,
  );
  const loss = (m: TrainedMember) => m.result.losses[m.result.losses.length - 1] ?? NaN;
  for (const m of trained) {
    log(
      `${ensemble ? `seed ${m.seed}: ` : ''}trained ${m.result.steps} steps in ${m.seconds.toFixed(0)} s (final loss ` +
        `${loss(m).toFixed(4)})`,
    );
    if (m.model.mix)
      log(
        `hybrid weights [late interaction, BM25(question), log length]: ${Array.from(m.model.mix.weight.dataSync())
          .map((v) => v.toPrecision(3))
          .join(', ')}`,
      );
  }
  if (opts.outDir)
    await saveMembers(trained, opts.outDir, {
      baseModel: pretrained ? path.resolve(opts.encoder) : undefined,
      tokenizerDir: pretrained ? opts.encoder : opts.tokenizerDir,
      overwrite: opts.overwrite,
    });
  const members = trained.map((m) => ({ seed: m.seed, reranker: new NeuralReranker(m.model, tokenizer) }));

  const evalSeed = seeds[0];
  const cmp = await compareWithBm25(
    data.heldOut,
    new RerankerEnsemble(members.map((m) => m.reranker)),
    evalSeed,
    draws,
  );
  const alone = ensemble
    ? await Promise.all(
        members.map(async (m) => ({
          seed: m.seed,
          ...(await compareWithBm25(data.heldOut, m.reranker, evalSeed, draws)),
        })),
      )
    : undefined;
  for (const m of members) m.reranker.model.dispose();
  return {
    ...cmp,
    ...(alone ? { members: alone } : {}),
    train: train.length,
    heldOut: data.heldOut.length,
    steps: trained.reduce((s, m) => s + m.result.steps, 0),
    trainSeconds: trained.reduce((s, m) => s + m.seconds, 0),
    finalLoss: loss(trained[trained.length - 1]),
  };
}

/**
 * `folds`-fold cross-validation over all rationales: each fold trains a fresh model (or ensemble) on the other folds
 * and ranks its own questions, so every question is held out exactly once and the pooled comparison covers all of
 * them. With a checkpoint folder each fold resumes from its own subfolder (fold-N), so a killed run picks up where
 * it stopped.
 */
export async function crossValidate(
  opts: Omit<TrainEvalOptions, 'evalFraction' | 'outDir'> & { folds: number },
): Promise<TrainEvalResult & { folds: TrainEvalResult[] }> {
  const all = await loadStrategyQa({ ...opts, evalFraction: 0 });
  const examples = all.train;
  const results: TrainEvalResult[] = [];
  const starts: number[] = [];
  for (let f = 0; f < opts.folds; f++) {
    const [lo, hi] = [
      Math.floor((f * examples.length) / opts.folds),
      Math.floor(((f + 1) * examples.length) / opts.folds),
    ];
    const fold = { ...all, train: [...examples.slice(0, lo), ...examples.slice(hi)], heldOut: examples.slice(lo, hi) };
    opts.log?.(`fold ${f + 1}/${opts.folds}`);
    const checkpointDir = opts.training.checkpointDir && path.join(opts.training.checkpointDir, `fold-${f + 1}`);
    results.push(await trainEvalOn(fold, { ...opts, training: { ...opts.training, checkpointDir } }));
    starts.push(lo);
  }
  const pooled = (parts: RerankerComparison[]): RerankerComparison => {
    const pool = (key: 'bm25' | 'reranker'): RankingAccuracy => {
      // Cluster ids are question positions within a fold: shift them to positions among all questions.
      const clusters = parts[0][key].clusters
        ? parts.flatMap((r, f) => r[key].clusters!.map((c) => c + starts[f]))
        : undefined;
      return accuracyFromRanks(
        parts.flatMap((r) => r[key].ranks),
        parts.reduce((s, r) => s + r[key].skipped, 0),
        clusters,
      );
    };
    return rerankerComparison(pool('bm25'), pool('reranker'));
  };
  const members = results[0].members?.map((m, i) => ({ seed: m.seed, ...pooled(results.map((r) => r.members![i])) }));
  return {
    ...pooled(results),
    ...(members ? { members } : {}),
    folds: results,
    train: examples.length,
    heldOut: examples.length,
    steps: results.reduce((s, r) => s + r.steps, 0),
    trainSeconds: results.reduce((s, r) => s + r.trainSeconds, 0),
    finalLoss: results[results.length - 1].finalLoss,
  };
}
