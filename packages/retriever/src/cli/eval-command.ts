import { Command } from 'commander';
import { evaluateRun, readQrels, readRun } from '../trec';
import type { CliIo } from './io';

interface EvalOptions {
  run: string;
  qrels: string;
  k?: string;
}

export function evalCommand(io: CliIo): Command {
  return new Command('eval')
    .description('Score a TREC run against TREC qrels: recall@k, MRR@10 and nDCG@10 (trec_eval definitions)')
    .requiredOption('--run <file>', 'TREC run file')
    .requiredOption('--qrels <file>', 'TREC qrels file (qid iteration docid relevance)')
    .option('--k <list>', 'recall depths, comma separated (default: the run depth)')
    .action((o: EvalOptions) => {
      const run = readRun(o.run);
      const qrels = readQrels(o.qrels);
      let depths: number[];
      if (o.k !== undefined) {
        depths = o.k.split(',').map((s) => Number(s.trim()));
        if (depths.some((k) => !Number.isInteger(k) || k < 1))
          throw new RangeError(`--k must list positive integers, got ${JSON.stringify(o.k)}`);
      } else {
        depths = [Math.max(1, ...[...run.values()].map((docs) => docs.length))];
      }
      const e = evaluateRun(run, qrels, depths);
      const rows: [string, string][] = [['queries', String(e.queries)]];
      for (const k of depths) rows.push([`recall@${k}`, e.recall[k].toFixed(4)]);
      rows.push(['mrr@10', e.mrr10.toFixed(4)], ['ndcg@10', e.ndcg10.toFixed(4)]);
      io.stdout(rows.map(([name, value]) => `${name.padEnd(12)}${value}\n`).join(''));
    });
}
