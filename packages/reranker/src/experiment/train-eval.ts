// The StrategyQA experiment: train a reranker KARD's way and compare it with BM25-by-question on held-out questions.
import * as path from 'node:path';
import { readPassages, type Passage } from '@kard/knowledge-base';
import { readFlanCotRows } from '@kard/cot-data';
import { Bm25Index } from '@kard/retriever';
import { smallBertConfig, type BertConfig } from '../bert/config';
import { loadBertEncoder } from '../bert/checkpoint';
import { KARD_LORA, LoraAdapters } from '../bert/lora';
import { BertEncoder } from '../bert/model';
import { ColbertModel } from '../colbert/model';
import { NeuralReranker } from '../inference/neural-reranker';
import { saveReranker } from '../io/save';
import { kardEvalGroups, rankingAccuracy, type RankingAccuracy } from '../metrics';
import { BertTokenizer } from '../tokenizer';
import { RerankerTrainer, type StepInfo, type TrainerOptions } from '../training/trainer';
import { buildSearchSpaces } from './search-space';

export interface TrainEvalOptions {
  /** The shipped datasets folder (strategyqa, flan-cot, wikipedia). */
  datasetsDir: string;
  /** WordPiece tokenizer folder; for a pretrained encoder its own folder is used. */
  tokenizerDir: string;
  /** 'scratch' trains a small BERT from random weights; a folder path loads that BertModel and trains LoRA on it. */
  encoder: 'scratch' | string;
  /** Overrides of the small from-scratch BERT (default: 1 layer, hidden 64, 2 heads). */
  scratchConfig?: Partial<BertConfig>;
  /** Use only the first N FLAN rationales (before the split); default all 2,061. */
  limit?: number;
  /** Held-out fraction, taken from the end as KARD does (its split_set with ratio 0.95). */
  evalFraction: number;
  compressionDim: number;
  queryMaxLength: number;
  passageMaxLength: number;
  /** Training options (KARD's by default). */
  training: Partial<TrainerOptions>;
  /** Save the trained reranker here. */
  outDir?: string;
  log?: (line: string) => void;
}

export interface TrainEvalResult {
  train: number;
  heldOut: number;
  bm25: RankingAccuracy;
  reranker: RankingAccuracy;
  steps: number;
  trainSeconds: number;
  finalLoss: number;
}

export async function trainEval(opts: TrainEvalOptions): Promise<TrainEvalResult> {
  const log = opts.log ?? (() => undefined);
  const passages: Passage[] = [];
  for await (const p of readPassages(path.join(opts.datasetsDir, 'wikipedia', 'strategyqa_paragraphs.jsonl'))) passages.push(p);
  const byId = new Map(passages.map((p) => [p.id, p]));
  const index = await Bm25Index.build(passages);
  log(`corpus: ${passages.length} passages indexed`);

  let rows = readFlanCotRows(path.join(opts.datasetsDir, 'flan-cot', 'strategyqa_train.tsv'));
  if (opts.limit) rows = rows.slice(0, opts.limit);
  const examples = await buildSearchSpaces(rows, index, byId, 32);
  const nTrain = Math.floor((1 - opts.evalFraction) * examples.length);
  const train = examples.slice(0, nTrain);
  const heldOut = examples.slice(nTrain);
  log(`search spaces: ${train.length} training, ${heldOut.length} held-out questions`);

  const pretrained = opts.encoder !== 'scratch';
  const tokenizer = await BertTokenizer.fromPretrained(pretrained ? opts.encoder : opts.tokenizerDir);
  const seed = opts.training.seed ?? 42;
  let encoder: BertEncoder;
  if (pretrained) {
    encoder = loadBertEncoder(opts.encoder, { trainable: false });
    encoder.lora = LoraAdapters.create(KARD_LORA, encoder.config.num_hidden_layers, encoder.config.hidden_size, seed);
  } else {
    const config = smallBertConfig({ vocab_size: tokenizer.vocabSize, max_position_embeddings: Math.max(opts.passageMaxLength, opts.queryMaxLength), ...opts.scratchConfig });
    encoder = BertEncoder.random(config, { seed, positionScale: 0.1 });
  }
  const model = ColbertModel.create(encoder, { compressionDim: opts.compressionDim, queryMaxLength: opts.queryMaxLength, passageMaxLength: opts.passageMaxLength }, seed);

  const { groups, skipped } = kardEvalGroups(heldOut, { k: 8, seed });
  const bm25 = await rankingAccuracy(groups, (q, cands) => index.scoreDocuments(q, cands.map((c) => c.id)), skipped);

  const started = Date.now();
  let last: StepInfo | undefined;
  const trainer = new RerankerTrainer(model, tokenizer, train, { ...opts.training, onStep: (s) => (last = s) });
  const result = await trainer.train();
  const trainSeconds = (Date.now() - started) / 1000;
  log(`trained ${result.steps} steps in ${trainSeconds.toFixed(0)} s (final loss ${last?.loss.toFixed(4)})`);

  const reranker = new NeuralReranker(model, tokenizer);
  const rr = await rankingAccuracy(groups, (q, cands) => reranker.score(q, cands), skipped);
  if (opts.outDir) await saveReranker(model, opts.outDir, { baseModel: pretrained ? path.resolve(opts.encoder) : undefined, tokenizerDir: pretrained ? opts.encoder : opts.tokenizerDir });
  return { train: train.length, heldOut: heldOut.length, bm25, reranker: rr, steps: result.steps, trainSeconds, finalLoss: last?.loss ?? NaN };
}
