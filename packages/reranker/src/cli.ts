#!/usr/bin/env node
// kard-reranker: thin wiring around the package (pre-train an encoder, evaluate a saved reranker on records, rerank).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { indexedText, readPassages, type Passage } from '@kard/knowledge-base';
import { CHECKPOINT_OWNER, initBackend, type BackendName } from '@kard/nn';
import { assertReplaceable, describeCliError, InputFormatError, writeDirAtomic, writeFileAtomic } from '@kard/core';
import { Bm25Index } from '@kard/retriever';
import { scratchBertShape } from './bert/config';
import { createRerankerModel } from './colbert/create';
import { rerankerExamples, withQuestionScores, type RerankerRecord } from './data/records';
import { compareWithBm25 } from './evaluation/compare';
import { comparisonJson, comparisonMarkdown } from './evaluation/report';
import { RERANKER_OWNER, writeRerankerFiles } from './io/save';
import { BertTokenizer } from './tokenizer';
import { INVERSE_CLOZE_DEFAULTS, pretrainInverseCloze } from './training/inverse-cloze';
import { parseCandidateLines } from './inference/candidate-lines';
import { loadRerankerFolder, loadRerankerFolders } from './inference/ensemble';

const program = new Command('kard-reranker').description("KARD's neural reranker: pre-train, evaluate, rerank");
const int = (v: string) => parseInt(v, 10);

program
  .command('pretrain')
  .description(
    'pre-train a from-scratch encoder on the corpus with the inverse cloze task (a span of a passage finds its ' +
      "passage among the batch); fine-tune it with `--init` (tools/experiments/reranker, or the pipeline's " +
      'reranker.init)',
  )
  .requiredOption('--out <dir>', 'save the pre-trained reranker (encoder + compressor) here')
  .option('--corpus <files...>', 'passage JSONL/TSV files', ['datasets/wikipedia/strategyqa_paragraphs.jsonl'])
  .option('--tokenizer <dir>', 'WordPiece tokenizer folder', 'models/bert-uncased-tokenizer')
  .option('--steps <n>', 'optimizer steps', int, INVERSE_CLOZE_DEFAULTS.steps)
  .option('--batch-size <n>', 'passages per step (in-batch negatives)', int, INVERSE_CLOZE_DEFAULTS.batchSize)
  .option('--lr <x>', 'peak learning rate', parseFloat, INVERSE_CLOZE_DEFAULTS.lr)
  .option('--passage-max-length <n>', 'passage tokens', int, 96)
  .option('--query-max-length <n>', 'query tokens (fine-tuning may use up to the larger of the two)', int, 32)
  .option('--dim <n>', 'compression dim', int, 32)
  .option('--hidden <n>', 'hidden size', int, 32)
  .option('--layers <n>', 'layers', int, 1)
  .option('--seed <n>', 'seed', int, 42)
  .option('--checkpoint <dir>', 'resumable checkpoint folder')
  .option('--checkpoint-every <n>', 'checkpoint every n steps', int, 200)
  .option('--overwrite', 'replace --out and --checkpoint even when they hold something else (a file, other files)')
  .option('--backend <name>', 'force a tfjs backend')
  .option('--progress', 'show a progress bar even when stderr is not a TTY')
  .action(async (o) => {
    // refuse a foreign --out or --checkpoint before training, not after it
    assertReplaceable(o.out, { ...RERANKER_OWNER, overwrite: o.overwrite });
    if (o.checkpoint) assertReplaceable(o.checkpoint, { ...CHECKPOINT_OWNER, overwrite: o.overwrite });
    const b = await initBackend({ backend: o.backend as BackendName | undefined });
    process.stderr.write(`backend: ${b.name}\n`);
    const texts: string[] = [];
    for (const f of o.corpus as string[])
      for await (const p of readPassages(path.resolve(f))) texts.push(indexedText(p));
    const tokenizer = await BertTokenizer.fromPretrained(path.resolve(o.tokenizer));
    const model = createRerankerModel({
      encoder: 'scratch',
      scratchConfig: scratchBertShape(o),
      compressionDim: o.dim,
      queryMaxLength: o.queryMaxLength,
      passageMaxLength: o.passageMaxLength,
      vocabSize: tokenizer.vocabSize,
      seed: o.seed,
    });
    const started = Date.now();
    const r = await pretrainInverseCloze(model, tokenizer, texts, {
      steps: o.steps,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed,
      checkpointDir: o.checkpoint,
      checkpointEvery: o.checkpointEvery,
      overwriteCheckpoint: o.overwrite,
      progress: o.progress ? true : 'auto',
    });
    const seconds = (Date.now() - started) / 1000;
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
    const window = Math.min(50, r.losses.length);
    const summary = {
      task: 'inverse-cloze',
      corpus: (o.corpus as string[]).map((f) => path.resolve(f)),
      passages: r.passages,
      steps: r.steps,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed,
      resumedFromStep: r.resumedFromStep,
      seconds,
      lossFirst: mean(r.losses.slice(0, window)),
      lossLast: mean(r.losses.slice(-window)),
      chance: Math.log(o.batchSize),
    };
    await writeDirAtomic(
      path.resolve(o.out),
      (tmp) => {
        writeRerankerFiles(model, tmp, { tokenizerDir: path.resolve(o.tokenizer) });
        fs.writeFileSync(path.join(tmp, 'pretraining.json'), JSON.stringify(summary, null, 2) + '\n');
      },
      { ...RERANKER_OWNER, overwrite: o.overwrite },
    );
    console.log(
      `inverse cloze: ${r.steps} steps over ${r.passages} passages in ${seconds.toFixed(0)} s; loss ` +
        `${summary.lossFirst.toFixed(3)} -> ${summary.lossLast.toFixed(3)} (chance ${summary.chance.toFixed(3)}); ` +
        `saved ${o.out}`,
    );
  });

program
  .command('eval')
  .description(
    "KARD's held-out evaluation of a saved reranker on reranker records (e.g. a run's " +
      'data/kard/reranker.validation.jsonl): BM25(question) vs reranked top-1/3/5 ' +
      "(target: the rationale's BM25 top-1 among 8 candidates). The StrategyQA split of the README: " +
      'tools/experiments/reranker',
  )
  .requiredOption(
    '--model <dirs...>',
    'saved reranker folder (an ensemble folder, or several folders: their mean score)',
  )
  .requiredOption(
    '--records <file>',
    'reranker records, one JSON object per line (RerankerRecord: question, rationale, candidates with ranks)',
  )
  .option('--corpus <files...>', 'passage JSONL/TSV files the records name', [
    'datasets/wikipedia/strategyqa_paragraphs.jsonl',
  ])
  .option(
    '--index <dir>',
    "saved BM25 index for BM25(question) (e.g. a run's index folder); default: the corpus indexed with BM25 defaults",
  )
  .option('--seed <n>', 'seed of the candidate draw', int, 42)
  .option('--eval-draws <n>', 'candidate draws per question (KARD: 1)', int, 1)
  .option('--base-model <dir>', 'override the recorded base model folder')
  .option('--json <file>', 'write the result as JSON')
  .option('--markdown <file>', 'write the result as a Markdown table')
  .option('--backend <name>', 'force a tfjs backend')
  .action(async (o) => {
    await initBackend({ backend: o.backend as BackendName | undefined });
    const list: Passage[] = [];
    for (const f of o.corpus as string[]) for await (const p of readPassages(path.resolve(f))) list.push(p);
    const passages = new Map(list.map((p) => [p.id, p]));
    const index = o.index ? Bm25Index.load(path.resolve(o.index)) : await Bm25Index.build(list);
    const heldOut = withQuestionScores(rerankerExamples(readRecords(path.resolve(o.records)), passages), index);
    const dirs = (o.model as string[]).map((d) => path.resolve(d));
    const rr = await loadRerankerFolders(dirs, { baseModel: o.baseModel });
    const r = await compareWithBm25(heldOut, rr, o.seed, o.evalDraws);
    const md = comparisonMarkdown(r);
    process.stdout.write(md);
    if (o.json)
      writeFileAtomic(
        path.resolve(o.json),
        JSON.stringify(
          { model: dirs.length === 1 ? dirs[0] : dirs, heldOut: heldOut.length, ...comparisonJson(r) },
          null,
          2,
        ) + '\n',
      );
    if (o.markdown) writeFileAtomic(path.resolve(o.markdown), md);
  });

program
  .command('rerank')
  .description(
    'rerank passages (JSON lines {id, text, score?} on stdin; score = BM25 for the query, needed by hybrid models) ' +
      'with a saved reranker; prints hits as JSON lines',
  )
  .requiredOption('--model <dir>', 'saved reranker folder (or ensemble folder)')
  .requiredOption('--query <text>', 'the question')
  .option('--k <n>', 'hits to keep', int, 10)
  .option('--base-model <dir>', 'override the recorded base model folder')
  .action(async (o) => {
    await initBackend();
    const rr = await loadRerankerFolder(o.model, { baseModel: o.baseModel });
    const hits = parseCandidateLines(fs.readFileSync(0, 'utf8'), 'stdin');
    for (const h of await rr.rerank(o.query, hits, o.k))
      console.log(JSON.stringify({ id: h.id, score: h.score, rank: h.rank }));
  });

/** Reranker records from a JSONL file; a line that is not JSON is reported with its file and line. */
function readRecords(file: string): RerankerRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line) as RerankerRecord];
      } catch (err) {
        throw new InputFormatError(file, i + 1, `malformed JSON: ${(err as Error).message}`);
      }
    });
}

program.parseAsync().catch((err) => {
  process.stderr.write(`kard-reranker: ${describeCliError(err)}\n`);
  process.exit(1);
});
