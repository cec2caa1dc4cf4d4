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
import { NeuralReranker } from '../inference/neural-reranker';
import { RerankerLoadError, loadReranker, saveReranker } from '../io/save';
import { accuracyFromRanks, kardEvalGroups, pairedDifference, rankingAccuracy, type PairedDifference, type RankingAccuracy } from '../metrics';
import { BertTokenizer } from '../tokenizer';
import type { RerankerExample } from '../training/data';
import { RerankerTrainer, type StepInfo, type TrainerOptions } from '../training/trainer';
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

/** KARD's evaluation (8 candidates, target = the rationale's BM25 top-1) of BM25(question) and `reranker`. */
export async function compareWithBm25(heldOut: RerankerExample[], reranker: Pick<NeuralReranker, 'score'>, seed = 42): Promise<RerankerComparison> {
  const { groups, skipped } = kardEvalGroups(heldOut, { k: 8, seed });
  // BM25(question) is the candidates' questionScore: the same numbers the first stage gives at inference.
  if (groups.some((g) => g.candidates.some((c) => c.questionScore === undefined))) throw new RangeError('held-out candidates need questionScore (withQuestionScores)');
  const bm25 = await rankingAccuracy(groups, (_q, cands) => cands.map((c) => c.questionScore!), skipped);
  const rr = await rankingAccuracy(groups, (q, cands) => reranker.score(q, cands), skipped);
  return comparison(bm25, rr);
}

/** BM25 and reranker accuracies with the reranker's paired gain at top-1/3/5. */
function comparison(bm25: RankingAccuracy, reranker: RankingAccuracy): RerankerComparison {
  const gain = (k: number) => pairedDifference(bm25.ranks, reranker.ranks, k);
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
  /** Save the trained reranker here. */
  outDir?: string;
  log?: (line: string) => void;
}

export interface TrainEvalResult extends RerankerComparison {
  train: number;
  heldOut: number;
  steps: number;
  trainSeconds: number;
  finalLoss: number;
}

export async function trainEval(opts: TrainEvalOptions): Promise<TrainEvalResult> {
  const data = await loadStrategyQa(opts);
  return trainEvalOn(data, opts);
}

/** Trains on `data.train` and compares with BM25(question) on `data.heldOut`. */
export async function trainEvalOn(data: StrategyQaData, opts: Omit<TrainEvalOptions, 'datasetsDir' | 'limit' | 'evalFraction'>): Promise<TrainEvalResult> {
  const log = opts.log ?? (() => undefined);
  const train = [...data.train, ...data.extraTrain];
  log(`corpus: ${data.passages.size} passages; search spaces: ${train.length} training (${data.extraTrain.length} from extra files), ${data.heldOut.length} held-out questions`);

  const pretrained = opts.encoder !== 'scratch';
  const tokenizer = await BertTokenizer.fromPretrained(pretrained ? opts.encoder : opts.tokenizerDir);
  const seed = opts.training.seed ?? 42;
  const model = createRerankerModel({ ...opts, vocabSize: tokenizer.vocabSize, seed });

  const started = Date.now();
  let last: StepInfo | undefined;
  const trainer = new RerankerTrainer(model, tokenizer, train, { ...opts.training, onStep: (s) => (last = s) });
  const result = await trainer.train();
  const trainSeconds = (Date.now() - started) / 1000;
  log(`trained ${result.steps} steps in ${trainSeconds.toFixed(0)} s (final loss ${last?.loss.toFixed(4)})`);
  if (model.mix) log(`hybrid weights [late interaction, BM25(question), log length]: ${Array.from(model.mix.weight.dataSync()).map((v) => v.toPrecision(3)).join(', ')}`);

  const cmp = await compareWithBm25(data.heldOut, new NeuralReranker(model, tokenizer), seed);
  if (opts.outDir) await saveReranker(model, opts.outDir, { baseModel: pretrained ? path.resolve(opts.encoder) : undefined, tokenizerDir: pretrained ? opts.encoder : opts.tokenizerDir });
  return { ...cmp, train: train.length, heldOut: data.heldOut.length, steps: result.steps, trainSeconds, finalLoss: last?.loss ?? NaN };
}

/**
 * `folds`-fold cross-validation over all rationales: each fold trains a fresh model on the other folds and ranks its
 * own questions, so every question is held out exactly once and the pooled comparison covers all of them.
 */
export async function crossValidate(opts: Omit<TrainEvalOptions, 'evalFraction' | 'outDir'> & { folds: number }): Promise<TrainEvalResult & { folds: TrainEvalResult[] }> {
  const all = await loadStrategyQa({ ...opts, evalFraction: 0 });
  const examples = all.train;
  const results: TrainEvalResult[] = [];
  for (let f = 0; f < opts.folds; f++) {
    const [lo, hi] = [Math.floor((f * examples.length) / opts.folds), Math.floor(((f + 1) * examples.length) / opts.folds)];
    const fold = { ...all, train: [...examples.slice(0, lo), ...examples.slice(hi)], heldOut: examples.slice(lo, hi) };
    opts.log?.(`fold ${f + 1}/${opts.folds}`);
    results.push(await trainEvalOn(fold, opts));
  }
  const pool = (key: 'bm25' | 'reranker'): RankingAccuracy =>
    accuracyFromRanks(results.flatMap((r) => r[key].ranks), results.reduce((s, r) => s + r[key].skipped, 0));
  return {
    ...comparison(pool('bm25'), pool('reranker')), folds: results,
    train: examples.length, heldOut: examples.length, steps: results.reduce((s, r) => s + r.steps, 0),
    trainSeconds: results.reduce((s, r) => s + r.trainSeconds, 0), finalLoss: results[results.length - 1].finalLoss,
  };
}
