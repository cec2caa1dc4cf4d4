import * as os from 'node:os';
import { Command } from 'commander';
import { Bm25Index, type LoadBm25Options } from '../sparse';
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
  threads: number;
}

export function searchCommand(io: CliIo): Command {
  return new Command('search')
    .description('Run qid<TAB>query topics against a BM25 index and write a TREC run (qid Q0 docid rank score tag)')
    .requiredOption('--index <dir>', 'index folder written by `kard-retriever index`')
    .requiredOption('--topics <file>', 'topics file, one qid<TAB>query per line')
    .requiredOption('--output <file>', 'TREC run file to write')
    .option('--k <n>', 'hits per query', parseNumber('--k', 1, 1e7, true), 1000)
    .option('--tag <tag>', 'run tag (last column)', 'bm25')
    .option(
      '--threads <n>',
      'worker threads answering queries, sharing the index memory (1: the calling thread)',
      parseNumber('--threads', 1, 1024, true),
      os.availableParallelism(),
    )
    .option('--progress', 'show a progress bar even when stderr is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .action(async (o: SearchOptions) => {
      const topics = readTopics(o.topics);
      // `shared`: load straight into SharedArrayBuffers, which the search threads read (nothing copied).
      const loadOptions: LoadBm25Options = { shared: o.threads > 1 };
      const index = Bm25Index.load(o.index, loadOptions);
      const progress = createProgress({ label: 'search', total: topics.length, unit: 'queries', show: o.progress });
      const started = Date.now();
      let hits: Awaited<ReturnType<Bm25Index['searchBatchParallel']>>;
      try {
        hits = await index.searchBatchParallel(
          topics.map((t) => t.query),
          o.k,
          { threads: o.threads, onProgress: (n) => progress.update(n) },
        );
      } finally {
        progress.stop();
        await index.close();
      }
      const lines = topics.map(({ qid }, i) => formatRunLines(qid, hits[i], o.tag));
      writeFileAtomic(o.output, lines.join(''));
      const seconds = (Date.now() - started) / 1000;
      io.stdout(`${topics.length} queries in ${seconds.toFixed(2)} s -> ${o.output}\n`);
    });
}
