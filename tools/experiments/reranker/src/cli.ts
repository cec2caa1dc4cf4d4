#!/usr/bin/env node
// kard-reranker-experiment: the StrategyQA experiments behind @kard/reranker's README figures (train + evaluate on
// one split or with k-fold cross-validation; evaluate a saved reranker on the same split).
import * as path from 'node:path';
import { Command } from 'commander';
import { initBackend, type BackendName } from '@kard/nn';
import { assertReplaceable, UsageError, writeFileAtomic } from '@kard/core';
import {
  RERANKER_OWNER,
  compareWithBm25,
  comparisonJson,
  comparisonMarkdown,
  loadRerankerFolders,
  scratchBertShape,
  type RerankerComparison,
} from '@kard/reranker';
import { loadStrategyQa } from './strategyqa';
import { crossValidate, trainEval } from './train-eval';

const program = new Command('kard-reranker-experiment').description(
  "StrategyQA experiments with KARD's neural reranker: train + evaluate, evaluate a saved reranker",
);
const int = (v: string) => parseInt(v, 10);
// Repeatable flags rather than variadic ones (`<files...>`): this tool resolves the root's commander, whose version
// may predate variadic options.
const collect = (v: string, all: string[] = []) => [...all, v];

function printComparison(r: RerankerComparison & { members?: Array<RerankerComparison & { seed: number }> }): void {
  if (!r.members) return void process.stdout.write(comparisonMarkdown(r));
  process.stdout.write(
    comparisonMarkdown(
      r,
      `ensemble of ${r.members.length} (mean score of seeds ${r.members.map((m) => m.seed).join(', ')})`,
    ),
  );
  for (const m of r.members) process.stdout.write('\n' + comparisonMarkdown(m, `seed ${m.seed} alone`));
}

const seedList = (v: string): number[] => {
  const seeds = v.split(',').map((x) => Number(x.trim()));
  if (seeds.some((x) => !Number.isInteger(x)))
    throw new Error(`--seeds: expected comma-separated integers, got "${v}"`);
  return seeds;
};

program
  .command('train')
  .description(
    'train on StrategyQA (FLAN rationales, shipped Wikipedia paragraphs) and print held-out top-1/3/5 for BM25 vs ' +
      'the reranker',
  )
  .option('--datasets <dir>', 'shipped datasets folder', 'datasets')
  .option('--tokenizer <dir>', 'WordPiece tokenizer folder', 'models/bert-uncased-tokenizer')
  .option(
    '--encoder <scratch|dir>',
    "'scratch' (small BERT, all weights train) or a BertModel folder (LoRA r=16)",
    'scratch',
  )
  .option(
    '--init <dir>',
    "with --encoder scratch: start from a saved reranker (e.g. `kard-reranker pretrain`'s output); all its weights " +
      'train, --hidden/--layers/--dim come from it',
  )
  .option('--limit <n>', 'use only the first n rationales', int)
  .option('--eval-fraction <x>', 'held-out share, taken from the end (KARD: 0.05)', parseFloat, 0.05)
  .option(
    '--extra-train <file>',
    'more FLAN CoT files (repeatable; e.g. datasets/flan-cot/creak_train.tsv) whose rationales join the training ' +
      'split only; evaluation stays on StrategyQA',
    collect,
  )
  .option(
    '--folds <n>',
    'k-fold cross-validation instead of one split: every question is held out once (no --out)',
    int,
  )
  .option('--epochs <n>', 'epochs (KARD: 3)', int, 3)
  .option('--batch-size <n>', 'questions per step (KARD: 16)', int, 16)
  .option('--lr <x>', 'peak learning rate (KARD: 1e-4 with a pretrained encoder)', parseFloat, 1e-4)
  .option('--max-steps <n>', 'stop early after n steps', int)
  .option('--passage-max-length <n>', 'passage tokens (KARD: 512)', int, 512)
  .option('--query-max-length <n>', 'question tokens (KARD: 512)', int, 512)
  .option('--dim <n>', 'compression dim', int, 128)
  .option('--hidden <n>', 'from-scratch hidden size', int, 64)
  .option('--layers <n>', 'from-scratch layers', int, 1)
  .option('--hybrid', "add the question's BM25 score and a length prior to late interaction, with learned weights")
  .option('--loss <kl|ce>', "objective: kl (what this tool's measurements used) or ce (the reference's default)", 'kl')
  .option('--annealing <kard|none>', 'temperature schedule', 'kard')
  .option('--tau-model <x>', 'initial model temperature (KARD: 100)', parseFloat, 100)
  .option('--seed <n>', 'seed', int, 42)
  .option(
    '--seeds <list>',
    'train one model per seed (e.g. 42,43,44) and rerank with their mean score; each is also reported alone',
    seedList,
  )
  .option(
    '--eval-draws <n>',
    'candidate draws per held-out question (KARD: 1); more average out which distractors were drawn',
    int,
    1,
  )
  .option('--checkpoint <dir>', 'resumable checkpoint folder (per fold and seed: fold-N/seed-N)')
  .option('--out <dir>', 'save the trained reranker here (with --seeds: one folder per seed)')
  .option('--overwrite', 'replace --out even when it is not a reranker folder (a file, other files)')
  .option('--json <file>', 'also write the comparison as JSON')
  .option('--with-ranks', "keep each group's target ranks (and question ids) in the JSON, for paired analyses")
  .option('--backend <name>', 'force a tfjs backend')
  .option('--progress', 'show a progress bar even when stderr is not a TTY')
  .action(async (o) => {
    // refuse a foreign --out before training, not after it
    if (o.out) assertReplaceable(o.out, { ...RERANKER_OWNER, overwrite: o.overwrite });
    const b = await initBackend({ backend: o.backend as BackendName | undefined });
    process.stderr.write(`backend: ${b.name}\n`);
    const run = o.folds ? (x: Parameters<typeof trainEval>[0]) => crossValidate({ ...x, folds: o.folds }) : trainEval;
    const r = await run({
      datasetsDir: path.resolve(o.datasets),
      tokenizerDir: path.resolve(o.tokenizer),
      encoder: o.encoder === 'scratch' ? 'scratch' : path.resolve(o.encoder),
      scratchConfig: scratchBertShape(o),
      init: o.init ? path.resolve(o.init) : undefined,
      limit: o.limit,
      extraTrain: o.extraTrain?.map((f: string) => path.resolve(f)),
      evalFraction: o.evalFraction,
      compressionDim: o.dim,
      queryMaxLength: o.queryMaxLength,
      passageMaxLength: o.passageMaxLength,
      hybrid: Boolean(o.hybrid),
      training: {
        epochs: o.epochs,
        batchSize: o.batchSize,
        lr: o.lr,
        maxSteps: o.maxSteps,
        loss: lossType(o.loss),
        annealing: o.annealing,
        tauModel: o.tauModel,
        seed: o.seed,
        checkpointDir: o.checkpoint,
        progress: o.progress ? true : 'auto',
      },
      seeds: o.seeds,
      evalDraws: o.evalDraws,
      outDir: o.out,
      overwrite: o.overwrite,
      log: (l) => process.stderr.write(l + '\n'),
    });
    if (o.folds) console.log(`${o.folds}-fold cross-validation: every question held out once.\n`);
    printComparison(r);
    console.log(`\nsteps ${r.steps}, ${r.trainSeconds.toFixed(0)} s training, final loss ${r.finalLoss.toFixed(4)}`);
    if (o.json)
      writeFileAtomic(path.resolve(o.json), JSON.stringify(o.withRanks ? r : comparisonJson(r), null, 2) + '\n');
  });

program
  .command('eval')
  .description(
    "KARD's held-out evaluation of a saved reranker on the StrategyQA split: BM25(question) vs reranked top-1/3/5 " +
      "(target: the rationale's BM25 top-1 among 8 candidates)",
  )
  .requiredOption(
    '--model <dir>',
    'saved reranker folder (an ensemble folder; repeated: several folders, their mean score)',
    collect,
  )
  .option('--datasets <dir>', 'shipped datasets folder', 'datasets')
  .option('--limit <n>', 'use only the first n rationales (must match training for an honest split)', int)
  .option('--eval-fraction <x>', 'held-out share, taken from the end (must match training)', parseFloat, 0.05)
  .option('--seed <n>', 'seed of the candidate draw', int, 42)
  .option('--eval-draws <n>', 'candidate draws per question (KARD: 1)', int, 1)
  .option('--base-model <dir>', 'override the recorded base model folder')
  .option('--json <file>', 'write the result as JSON')
  .option('--markdown <file>', 'write the result as a Markdown table')
  .option('--backend <name>', 'force a tfjs backend')
  .action(async (o) => {
    await initBackend({ backend: o.backend as BackendName | undefined });
    const data = await loadStrategyQa({
      datasetsDir: path.resolve(o.datasets),
      limit: o.limit,
      evalFraction: o.evalFraction,
    });
    const dirs = (o.model as string[]).map((d) => path.resolve(d));
    const rr = await loadRerankerFolders(dirs, { baseModel: o.baseModel });
    const r = await compareWithBm25(data.heldOut, rr, o.seed, o.evalDraws);
    const md = comparisonMarkdown(r);
    process.stdout.write(md);
    if (o.json)
      writeFileAtomic(
        path.resolve(o.json),
        JSON.stringify(
          { model: dirs.length === 1 ? dirs[0] : dirs, heldOut: data.heldOut.length, ...comparisonJson(r) },
          null,
          2,
        ) + '\n',
      );
    if (o.markdown) writeFileAtomic(path.resolve(o.markdown), md);
  });

program.parseAsync(process.argv).catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});

function lossType(v: string): 'kl' | 'ce' {
  if (v !== 'kl' && v !== 'ce') throw new UsageError(`--loss must be kl or ce, got "${v}"`);
  return v;
}
