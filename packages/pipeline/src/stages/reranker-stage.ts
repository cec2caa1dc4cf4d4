import * as path from 'node:path';
import type { RerankerRecord } from '@kard/cot-data';
import { indexedText, type Passage } from '@kard/knowledge-base';
import {
  BertTokenizer, RerankerTrainer, createRerankerModel, saveReranker, saveRerankerEnsemble, withQuestionScores,
  type ColbertModel, type RerankerExample, type TrainResult,
} from '@kard/reranker';
import type { Bm25Index } from '@kard/retriever';
import type { KardConfig } from '../config/schema';

/**
 * @kard/cot-data's reranker records (candidate ids, BM25-by-rationale scores, ranks in each list) as
 * @kard/reranker's examples (candidate texts, the rationale list and the question list, best first).
 */
export function rerankerExamples(records: RerankerRecord[], passages: Map<string, Passage>): RerankerExample[] {
  const text = (id: string) => {
    const p = passages.get(id);
    if (!p) throw new Error(`reranker data names passage ${id}, which the corpus lacks`);
    return indexedText(p);
  };
  const list = (r: RerankerRecord, key: 'rationaleRank' | 'questionRank') =>
    r.candidates.filter((c) => c[key] !== undefined).sort((a, b) => a[key]! - b[key]!).map((c) => ({ id: c.id, text: text(c.id), score: c.score }));
  return records.map((r) => ({ question: r.question, fromRationale: list(r, 'rationaleRank'), fromQuestion: list(r, 'questionRank') }));
}

export async function trainRerankerStage(
  cfg: KardConfig, records: RerankerRecord[], passages: Map<string, Passage>, outDir: string, checkpointDir: string,
  onStep: (step: number, total: number, loss: number) => void, index?: Bm25Index,
): Promise<Record<string, unknown>> {
  const r = cfg.reranker;
  const pretrained = r.base !== 'scratch';
  const tokenizerDir = path.resolve(pretrained ? r.base : r.tokenizer);
  const tokenizer = await BertTokenizer.fromPretrained(tokenizerDir);
  let examples = rerankerExamples(records, passages);
  if (r.hybrid) {
    if (!index) throw new Error('reranker.hybrid needs the BM25 index');
    examples = withQuestionScores(examples, index);
  }
  // an ensemble's members differ only by seed: seed, seed+1, ...; each resumes from its own checkpoint folder
  const seeds = Array.from({ length: r.ensemble }, (_, i) => cfg.seed + i);
  const members: Array<{ seed: number; model: ColbertModel; result: TrainResult }> = [];
  for (const seed of seeds) {
    const model = createRerankerModel({
      encoder: pretrained ? path.resolve(r.base) : 'scratch', init: r.init ? path.resolve(r.init) : undefined,
      scratchConfig: { hidden_size: r.hidden, num_hidden_layers: r.layers, num_attention_heads: r.heads, intermediate_size: 2 * r.hidden },
      compressionDim: r.compressionDim, queryMaxLength: r.queryMaxLength, passageMaxLength: r.passageMaxLength, hybrid: r.hybrid,
      vocabSize: tokenizer.vocabSize, seed,
    });
    const done = members.reduce((n, m) => n + m.result.steps, 0);
    const trainer = new RerankerTrainer(model, tokenizer, examples, {
      epochs: r.epochs, batchSize: r.batchSize, k: r.k, lr: r.lr, seed, maxSteps: r.maxSteps, annealing: r.annealing,
      checkpointDir: seeds.length > 1 ? path.join(checkpointDir, `seed-${seed}`) : checkpointDir, checkpointEvery: r.checkpointEvery, progress: false,
      onStep: (s) => onStep(done + s.step, s.totalSteps * seeds.length, s.loss),
    });
    members.push({ seed, model, result: await trainer.train() });
  }
  const saveOpts = { baseModel: pretrained ? path.resolve(r.base) : undefined, tokenizerDir };
  if (members.length === 1) await saveReranker(members[0].model, outDir, saveOpts);
  else await saveRerankerEnsemble(members.map((m) => ({ name: `seed-${m.seed}`, model: m.model })), outDir, saveOpts);
  const { result } = members[0];
  const losses = result.losses;
  const ensemble = members.length > 1 ? { members: members.map((m) => ({ seed: m.seed, steps: m.result.steps, finalLoss: m.result.losses[m.result.losses.length - 1] })) } : {};
  for (const m of members) m.model.dispose();
  return { base: r.base, init: r.init, ...ensemble, used: result.used, skippedUninformative: result.skippedUninformative, steps: result.steps, resumedFromStep: result.resumedFromStep, firstLoss: losses[0], finalLoss: losses[losses.length - 1] };
}
