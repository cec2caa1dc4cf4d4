import * as path from 'node:path';
import type { PassageLookup } from '@kard/knowledge-base';
import {
  BertTokenizer,
  createRerankerModel,
  rerankerExamples,
  saveMembers,
  trainMembers,
  withQuestionScores,
  type RerankerRecord,
} from '@kard/reranker';
import type { Bm25Index } from '@kard/retriever';
import type { KardConfig } from '../config/schema';

export async function trainRerankerStage(
  cfg: KardConfig,
  records: RerankerRecord[],
  passages: PassageLookup,
  outDir: string,
  checkpointDir: string,
  onStep: (step: number, total: number, loss: number) => void,
  index?: Bm25Index,
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
  // an ensemble's members differ only by seed: seed, seed+1, ...
  const seeds = Array.from({ length: r.ensemble }, (_, i) => cfg.seed + i);
  const members = await trainMembers(
    seeds,
    (seed) =>
      createRerankerModel({
        encoder: pretrained ? path.resolve(r.base) : 'scratch',
        init: r.init ? path.resolve(r.init) : undefined,
        scratchConfig: {
          hidden_size: r.hidden,
          num_hidden_layers: r.layers,
          num_attention_heads: r.heads,
          intermediate_size: 2 * r.hidden,
        },
        compressionDim: r.compressionDim,
        queryMaxLength: r.queryMaxLength,
        passageMaxLength: r.passageMaxLength,
        hybrid: r.hybrid,
        vocabSize: tokenizer.vocabSize,
        seed,
      }),
    tokenizer,
    examples,
    {
      epochs: r.epochs,
      batchSize: r.batchSize,
      k: r.k,
      lr: r.lr,
      maxSteps: r.maxSteps,
      loss: r.loss,
      tau: r.tau,
      tauModel: r.tauModel,
      annealing: r.annealing,
      checkpointDir,
      checkpointEvery: r.checkpointEvery,
      progress: false,
      onStep: (s) => onStep(s.step, s.totalSteps, s.loss), // counted over all members
    },
  );
  // a stage output: ours by construction
  await saveMembers(members, outDir, {
    baseModel: pretrained ? path.resolve(r.base) : undefined,
    tokenizerDir,
    overwrite: true,
  });
  const { result } = members[0];
  const losses = result.losses;
  const ensemble =
    members.length > 1
      ? {
          members: members.map((m) => ({
            seed: m.seed,
            steps: m.result.steps,
            finalLoss: m.result.losses[m.result.losses.length - 1],
          })),
        }
      : {};
  for (const m of members) m.model.dispose();
  return {
    base: r.base,
    init: r.init,
    ...ensemble,
    used: result.used,
    skippedUninformative: result.skippedUninformative,
    steps: result.steps,
    resumedFromStep: result.resumedFromStep,
    firstLoss: losses[0],
    finalLoss: losses[losses.length - 1],
  };
}
