#!/usr/bin/env node
// kard-reranker: thin wiring around the package (train on StrategyQA + evaluate, rerank a query).
import * as path from 'node:path';
import { Command } from 'commander';
import { initBackend, type BackendName } from '@kard/nn';
import { trainEval } from './experiment/train-eval';
import { NeuralReranker } from './inference/neural-reranker';

const program = new Command('kard-reranker').description("KARD's neural reranker: train, evaluate, rerank");

program
  .command('train')
  .description('train on StrategyQA (FLAN rationales, shipped Wikipedia paragraphs) and print held-out top-1/3/5 for BM25 vs the reranker')
  .option('--datasets <dir>', 'shipped datasets folder', 'datasets')
  .option('--tokenizer <dir>', 'WordPiece tokenizer folder', 'models/bert-uncased-tokenizer')
  .option('--encoder <scratch|dir>', "'scratch' (small BERT, all weights train) or a BertModel folder (LoRA r=16)", 'scratch')
  .option('--limit <n>', 'use only the first n rationales', (v) => parseInt(v, 10))
  .option('--epochs <n>', 'epochs (KARD: 3)', (v) => parseInt(v, 10), 3)
  .option('--batch-size <n>', 'questions per step (KARD: 16)', (v) => parseInt(v, 10), 16)
  .option('--lr <x>', 'peak learning rate (KARD: 1e-4 with a pretrained encoder)', parseFloat, 1e-4)
  .option('--max-steps <n>', 'stop early after n steps', (v) => parseInt(v, 10))
  .option('--passage-max-length <n>', 'passage tokens (KARD: 512)', (v) => parseInt(v, 10), 512)
  .option('--query-max-length <n>', 'question tokens (KARD: 512)', (v) => parseInt(v, 10), 512)
  .option('--dim <n>', 'compression dim', (v) => parseInt(v, 10), 128)
  .option('--hidden <n>', 'from-scratch hidden size', (v) => parseInt(v, 10), 64)
  .option('--layers <n>', 'from-scratch layers', (v) => parseInt(v, 10), 1)
  .option('--annealing <kard|none>', 'temperature schedule', 'kard')
  .option('--seed <n>', 'seed', (v) => parseInt(v, 10), 42)
  .option('--checkpoint <dir>', 'resumable checkpoint folder')
  .option('--out <dir>', 'save the trained reranker here')
  .option('--backend <name>', 'force a tfjs backend')
  .option('--progress', 'show a progress bar even when stderr is not a TTY')
  .action(async (o) => {
    const b = await initBackend({ backend: o.backend as BackendName | undefined });
    process.stderr.write(`backend: ${b.name}\n`);
    const r = await trainEval({
      datasetsDir: path.resolve(o.datasets), tokenizerDir: path.resolve(o.tokenizer), encoder: o.encoder === 'scratch' ? 'scratch' : path.resolve(o.encoder),
      scratchConfig: { hidden_size: o.hidden, num_hidden_layers: o.layers, intermediate_size: 2 * o.hidden, num_attention_heads: Math.max(1, o.hidden / 32) },
      limit: o.limit, evalFraction: 0.05, compressionDim: o.dim, queryMaxLength: o.queryMaxLength, passageMaxLength: o.passageMaxLength,
      training: { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, maxSteps: o.maxSteps, annealing: o.annealing, seed: o.seed, checkpointDir: o.checkpoint, progress: o.progress ? true : 'auto' },
      outDir: o.out, log: (l) => process.stderr.write(l + '\n'),
    });
    const row = (name: string, a: { top1: number; top3: number; top5: number }) => `${name.padEnd(20)} ${a.top1.toFixed(1).padStart(6)} ${a.top3.toFixed(1).padStart(6)} ${a.top5.toFixed(1).padStart(6)}`;
    console.log(`held-out questions: ${r.reranker.n} (skipped ${r.reranker.skipped}); target = rationale's BM25 top-1 among 8 candidates`);
    console.log(`${'scorer'.padEnd(20)} ${'top1'.padStart(6)} ${'top3'.padStart(6)} ${'top5'.padStart(6)}`);
    console.log(row('BM25(question)', r.bm25));
    console.log(row('reranker', r.reranker));
    console.log(`steps ${r.steps}, ${r.trainSeconds.toFixed(0)} s, final loss ${r.finalLoss.toFixed(4)}`);
  });

program
  .command('rerank')
  .description('rerank passages (JSON lines {id, text} on stdin) for a query with a saved reranker; prints hits as JSON lines')
  .requiredOption('--model <dir>', 'saved reranker folder')
  .requiredOption('--query <text>', 'the question')
  .option('--k <n>', 'hits to keep', (v) => parseInt(v, 10), 10)
  .option('--base-model <dir>', 'override the recorded base model folder')
  .action(async (o) => {
    await initBackend();
    const rr = await NeuralReranker.load(o.model, { baseModel: o.baseModel });
    const lines = (await new Promise<string>((res) => {
      let s = '';
      process.stdin.on('data', (d) => (s += d)).on('end', () => res(s));
    })).split('\n').filter((l) => l.trim());
    const hits = lines.map((l, i) => {
      const p = JSON.parse(l);
      return { id: String(p.id), score: 0, rank: i + 1, passage: { id: String(p.id), title: p.title, text: p.text } };
    });
    for (const h of await rr.rerank(o.query, hits, o.k)) console.log(JSON.stringify({ id: h.id, score: h.score, rank: h.rank }));
  });

program.parseAsync().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
