// The StrategyQA experiment: train a reranker KARD's way and compare it with BM25-by-question on held-out questions.
import * as path from 'node:path';
import { readPassages, type Passage } from '@kard/knowledge-base';
import { readFlanCotRows } from '@kard/cot-data';
import { Bm25Index } from '@kard/retriever';
import { smallBertConfig, type BertConfig } from '../bert/config';
import { loadBertEncoder } from '../bert/checkpoint';
import { KARD_LORA, LoraAdapters } from '../bert/lora';
import { BertEncoder } from '../bert/model';
import { ColbertModel, freshHybridHead } from '../colbert/model';
import { RerankerEnsemble } from '../inference/ensemble';
import { NeuralReranker } from '../inference/neural-reranker';
import { RerankerLoadError, loadReranker } from '../io/save';
import { accuracyFromRanks, kardEvalGroups, pairedDifference, rankingAccuracy, type EvalGroup, type PairedDifference, type RankingAccuracy } from '../metrics';
import { BertTokenizer } from '../tokenizer';
import type { RerankerExample } from '../training/data';
import { saveMembers, trainMembers, type TrainedMember } from '../training/members';
import type { TrainerOptions } from '../training/trainer';
import { buildSearchSpaces, withQuestionScores } from './search-space';

export interface StrategyQaData {
  index: Bm25Index;
  passages: Map<string, Passage>;
  train: RerankerExample[];
  heldOut: RerankerExample[];
  /** Training-only questions from other datasets (`extraTrain`); never held out, also not in cross-validation. */
  extraTrain: RerankerExample[];
}

/**
 * KARD's reranker data on the shipped StrategyQA files: the Wikipedia paragraphs indexed with BM25, a search space per
 * FLAN rationale, and a split taken from the end (KARD's split_set). Held-out rationales only define the targets.
 */
export async function loadStrategyQa(opts: { datasetsDir: string; limit?: number; evalFraction: number; extraTrain?: string[] }): Promise<StrategyQaData> {
  const list: Passage[] = [];
  for await (const p of readPassages(path.join(opts.datasetsDir, 'wikipedia', 'strategyqa_paragraphs.jsonl'))) list.push(p);
  const passages = new Map(list.map((p) => [p.id, p]));
  const index = await Bm25Index.build(list);
  let rows = readFlanCotRows(path.join(opts.datasetsDir, 'flan-cot', 'strategyqa_train.tsv'));
  if (opts.limit) rows = rows.slice(0, opts.limit);
  const examples = withQuestionScores(await buildSearchSpaces(rows, index, passages, 32), index);
  const nTrain = Math.floor((1 - opts.evalFraction) * examples.length);
  const extra: RerankerExample[] = [];
  for (const file of opts.extraTrain ?? []) {
    const more = readFlanCotRows(file).map((r) => ({ ...r, question: quotedClaim(r.question) }));
    extra.push(...withQuestionScores(await buildSearchSpaces(more, index, passages, 32), index));
  }
  return { index, passages, train: examples.slice(0, nTrain), heldOut: examples.slice(nTrain), extraTrain: extra };
}

/**
 * CREAK-style questions wrap a quoted claim in boilerplate ("Is the following a factual statement? \"...\""): the
 * claim alone is the query (the boilerplate's words would match passages about claims and statements).
 */
export function quotedClaim(question: string): string {
  const m = /"([^"]{8,})"/.exec(question);
  return m ? m[1] : question;
}

export interface RerankerComparison {
  bm25: RankingAccuracy;
  reranker: RankingAccuracy;
  /** Reranker minus BM25(question), per top-k, paired over the same questions and candidates. */
  gain: { top1: PairedDifference; top3: PairedDifference; top5: PairedDifference };
}

/**
 * KARD's evaluation (8 candidates, target = the rationale's BM25 top-1) of BM25(question) and `reranker`. With
 * `draws` > 1 each question is evaluated on that many candidate draws (seeds seed, seed+1, ...): the accuracies
 * average over them and the intervals count a question's draws as one unit (less noise from which 7 distractors
 * happened to be drawn, no false precision). KARD's protocol is one draw.
 */
export async function compareWithBm25(heldOut: RerankerExample[], reranker: Pick<NeuralReranker, 'score'>, seed = 42, draws = 1): Promise<RerankerComparison> {
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`draws must be a positive integer, got ${draws}`);
  const groups: EvalGroup[] = [];
  let skipped = 0;
  for (let d = 0; d < draws; d++) {
    const drawn = kardEvalGroups(heldOut, { k: 8, seed: seed + d });
    groups.push(...drawn.groups);
    skipped = drawn.skipped;
  }
  // BM25(question) is the candidates' questionScore: the same numbers the first stage gives at inference.
  if (groups.some((g) => g.candidates.some((c) => c.questionScore === undefined))) throw new RangeError('held-out candidates need questionScore (withQuestionScores)');
  const bm25 = await rankingAccuracy(groups, (_q, cands) => cands.map((c) => c.questionScore!), skipped);
  const rr = await rankingAccuracy(groups, (q, cands) => reranker.score(q, cands), skipped);
  if (draws > 1) bm25.clusters = rr.clusters = groups.map((g) => g.index);
  return comparison(bm25, rr);
}

/** BM25 and reranker accuracies with the reranker's paired gain at top-1/3/5. */
function comparison(bm25: RankingAccuracy, reranker: RankingAccuracy): RerankerComparison {
  const gain = (k: number) => pairedDifference(bm25.ranks, reranker.ranks, k, undefined, bm25.clusters);
  return { bm25, reranker, gain: { top1: gain(1), top3: gain(3), top5: gain(5) } };
}

export interface RerankerModelOptions {
  /** 'scratch' trains a small BERT from random weights; a folder path loads that BertModel and trains LoRA on it. */
  encoder: 'scratch' | string;
  /**
   * With `encoder: 'scratch'`: start from this saved reranker (e.g. `kard-reranker pretrain`'s inverse-cloze output)
   * instead of random weights; its encoder and compressor all train, and a hybrid head starts fresh.
   */
  init?: string;
  /** Overrides of the small from-scratch BERT (default: 1 layer, hidden 64, 2 heads). */
  scratchConfig?: Partial<BertConfig>;
  compressionDim: number;
  queryMaxLength: number;
  passageMaxLength: number;
  /** Late interaction + BM25(question) + length prior with learned weights (see ColbertModel.combine). */
  hybrid?: boolean;
  vocabSize: number;
  seed: number;
}

/** A fresh reranker network: a small random BERT (all weights train), or a pretrained base with KARD's LoRA. */
export function createRerankerModel(o: RerankerModelOptions): ColbertModel {
  let encoder: BertEncoder;
  if (o.init && o.encoder !== 'scratch') throw new RangeError(`init (${o.init}) starts a from-scratch encoder; it cannot be combined with the pretrained encoder ${o.encoder}`);
  if (o.encoder !== 'scratch') {
    encoder = loadBertEncoder(o.encoder, { trainable: false });
    encoder.lora = LoraAdapters.create(KARD_LORA, encoder.config.num_hidden_layers, encoder.config.hidden_size, o.seed);
  } else if (o.init) {
    const start = loadReranker(o.init);
    for (const v of [...start.encoder.params.values(), start.compressor.weight, start.compressor.bias]) v.trainable = true;
    const need = Math.max(o.passageMaxLength, o.queryMaxLength);
    const c = start.encoder.config;
    const problem = need > c.max_position_embeddings ? `its encoder takes ${c.max_position_embeddings} positions, fewer than the ${need} asked for`
      : c.vocab_size !== o.vocabSize ? `its encoder has ${c.vocab_size} token embeddings, the tokenizer ${o.vocabSize} tokens` : null;
    if (problem) {
      start.dispose();
      throw new RerankerLoadError(problem, path.join(o.init, 'reranker_config.json'));
    }
    start.mix?.weight.dispose();
    start.mix?.prior.dispose();
    const options = { ...start.options, queryMaxLength: o.queryMaxLength, passageMaxLength: o.passageMaxLength, hybrid: o.hybrid ?? false };
    return new ColbertModel(start.encoder, start.compressor, options, options.hybrid ? freshHybridHead(options.compressionDim) : null);
  } else {
    const config = smallBertConfig({ vocab_size: o.vocabSize, max_position_embeddings: Math.max(o.passageMaxLength, o.queryMaxLength), ...o.scratchConfig });
    encoder = BertEncoder.random(config, { seed: o.seed, positionScale: 0.1 });
  }
  return ColbertModel.create(encoder, { compressionDim: o.compressionDim, queryMaxLength: o.queryMaxLength, passageMaxLength: o.passageMaxLength, hybrid: o.hybrid ?? false }, o.seed);
}

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
  training: Partial<TrainerOptions>;
  /**
   * Train one model per seed (default: just `training.seed`) and rerank with their mean score (RerankerEnsemble);
   * each member is also evaluated alone.
   */
  seeds?: number[];
  /** Candidate draws per held-out question (compareWithBm25); their seeds start at the first training seed. */
  evalDraws?: number;
  /** Save the trained reranker here (an ensemble: one folder per member, seed-N, and ensemble.json; loadRerankerFolder reads both). */
  outDir?: string;
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
export async function trainEvalOn(data: StrategyQaData, opts: Omit<TrainEvalOptions, 'datasetsDir' | 'limit' | 'evalFraction'>): Promise<TrainEvalResult> {
  const log = opts.log ?? (() => undefined);
  const train = [...data.train, ...data.extraTrain];
  log(`corpus: ${data.passages.size} passages; search spaces: ${train.length} training (${data.extraTrain.length} from extra files), ${data.heldOut.length} held-out questions`);

  const pretrained = opts.encoder !== 'scratch';
  const tokenizer = await BertTokenizer.fromPretrained(pretrained ? opts.encoder : opts.tokenizerDir);
  const seeds = opts.seeds ?? [opts.training.seed ?? 42];
  const ensemble = seeds.length > 1;
  const draws = opts.evalDraws ?? 1;
  const trained = await trainMembers(seeds, (seed) => createRerankerModel({ ...opts, vocabSize: tokenizer.vocabSize, seed }), tokenizer, train, opts.training);
  const loss = (m: TrainedMember) => m.result.losses[m.result.losses.length - 1] ?? NaN;
  for (const m of trained) {
    log(`${ensemble ? `seed ${m.seed}: ` : ''}trained ${m.result.steps} steps in ${m.seconds.toFixed(0)} s (final loss ${loss(m).toFixed(4)})`);
    if (m.model.mix) log(`hybrid weights [late interaction, BM25(question), log length]: ${Array.from(m.model.mix.weight.dataSync()).map((v) => v.toPrecision(3)).join(', ')}`);
  }
  if (opts.outDir) await saveMembers(trained, opts.outDir, { baseModel: pretrained ? path.resolve(opts.encoder) : undefined, tokenizerDir: pretrained ? opts.encoder : opts.tokenizerDir });
  const members = trained.map((m) => ({ seed: m.seed, reranker: new NeuralReranker(m.model, tokenizer) }));

  const evalSeed = seeds[0];
  const cmp = await compareWithBm25(data.heldOut, new RerankerEnsemble(members.map((m) => m.reranker)), evalSeed, draws);
  const alone = ensemble ? await Promise.all(members.map(async (m) => ({ seed: m.seed, ...(await compareWithBm25(data.heldOut, m.reranker, evalSeed, draws)) }))) : undefined;
  for (const m of members) m.reranker.model.dispose();
  return {
    ...cmp, ...(alone ? { members: alone } : {}), train: train.length, heldOut: data.heldOut.length,
    steps: trained.reduce((s, m) => s + m.result.steps, 0), trainSeconds: trained.reduce((s, m) => s + m.seconds, 0), finalLoss: loss(trained[trained.length - 1]),
  };
}

/**
 * `folds`-fold cross-validation over all rationales: each fold trains a fresh model (or ensemble) on the other folds
 * and ranks its own questions, so every question is held out exactly once and the pooled comparison covers all of
 * them. With a checkpoint folder each fold resumes from its own subfolder (fold-N), so a killed run picks up where
 * it stopped.
 */
export async function crossValidate(opts: Omit<TrainEvalOptions, 'evalFraction' | 'outDir'> & { folds: number }): Promise<TrainEvalResult & { folds: TrainEvalResult[] }> {
  const all = await loadStrategyQa({ ...opts, evalFraction: 0 });
  const examples = all.train;
  const results: TrainEvalResult[] = [];
  const starts: number[] = [];
  for (let f = 0; f < opts.folds; f++) {
    const [lo, hi] = [Math.floor((f * examples.length) / opts.folds), Math.floor(((f + 1) * examples.length) / opts.folds)];
    const fold = { ...all, train: [...examples.slice(0, lo), ...examples.slice(hi)], heldOut: examples.slice(lo, hi) };
    opts.log?.(`fold ${f + 1}/${opts.folds}`);
    const checkpointDir = opts.training.checkpointDir && path.join(opts.training.checkpointDir, `fold-${f + 1}`);
    results.push(await trainEvalOn(fold, { ...opts, training: { ...opts.training, checkpointDir } }));
    starts.push(lo);
  }
  const pooled = (parts: RerankerComparison[]): RerankerComparison => {
    const pool = (key: 'bm25' | 'reranker'): RankingAccuracy => {
      // Cluster ids are question positions within a fold: shift them to positions among all questions.
      const clusters = parts[0][key].clusters ? parts.flatMap((r, f) => r[key].clusters!.map((c) => c + starts[f])) : undefined;
      return accuracyFromRanks(parts.flatMap((r) => r[key].ranks), parts.reduce((s, r) => s + r[key].skipped, 0), clusters);
    };
    return comparison(pool('bm25'), pool('reranker'));
  };
  const members = results[0].members?.map((m, i) => ({ seed: m.seed, ...pooled(results.map((r) => r.members![i])) }));
  return {
    ...pooled(results), ...(members ? { members } : {}), folds: results,
    train: examples.length, heldOut: examples.length, steps: results.reduce((s, r) => s + r.steps, 0),
    trainSeconds: results.reduce((s, r) => s + r.trainSeconds, 0), finalLoss: results[results.length - 1].finalLoss,
  };
}
