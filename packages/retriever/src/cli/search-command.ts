import { Command } from 'commander';
import { Bm25Index } from '../sparse';
import { formatRunLines, readTopics } from '../trec';
import { createProgress, writeFileAtomic } from '@kard/core';
import { type CliIo, parseNumber } from './io';

interface SearchOptions {
  index: string;
  topics: string;
  k: number;
  output: string;
  tag: string;
  progress?: boolean;
}

export function searchCommand(io: CliIo): Command {
  return new Command('search')
    .description('Run qid<TAB>query topics against a BM25 index and write a TREC run (qid Q0 docid rank score tag)')
    .requiredOption('--index <dir>', 'index folder written by `kard-retriever index`')
    .requiredOption('--topics <file>', 'topics file, one qid<TAB>query per line')
    .requiredOption('--output <file>', 'TREC run file to write')
    .option('--k <n>', 'hits per query', parseNumber('--k', 1, 1e7, true), 1000)
    .option('--tag <tag>', 'run tag (last column)', 'bm25')
    .option('--progress', 'show a progress bar even when stderr is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .action((o: SearchOptions) => {
      const topics = readTopics(o.topics);
      const index = Bm25Index.load(o.index);
      const progress = createProgress({ label: 'search', total: topics.length, unit: 'queries', show: o.progress });
      const started = Date.now();
      const lines: string[] = [];
      for (const { qid, query } of topics) {
        lines.push(formatRunLines(qid, index.search(query, o.k), o.tag));
        progress.increment();
      }
      progress.stop();
      writeFileAtomic(o.output, lines.join(''));
      const seconds = (Date.now() - started) / 1000;
      io.stdout(`${topics.length} queries in ${seconds.toFixed(2)} s -> ${o.output}\n`);
    });
}
