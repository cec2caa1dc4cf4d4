import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { assertReplaceable, createProgress } from '@kard/core';
import { type CorpusFormat, invalidUtf8Warning, type ReadPassagesOptions, type ReadStats } from '@kard/knowledge-base';
import { Bm25Index, BM25_INDEX_OWNER, type CorpusFileInfo } from '../sparse';
import { type CliIo, describeFile, parseNumber } from './io';

interface IndexOptions {
  corpus: string[];
  out: string;
  k1: number;
  b: number;
  stemmer: 'porter' | 'none';
  stopwords: 'lucene' | 'none';
  format: 'auto' | CorpusFormat;
  skipMalformed?: boolean;
  strict?: boolean;
  progress?: boolean;
  overwrite?: boolean;
  threads: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function indexCommand(io: CliIo): Command {
  return new Command('index')
    .description('Build an exact BM25 index from passage corpora (Pyserini/BEIR/plain JSONL or DPR TSV, plain or gzip)')
    .requiredOption('--corpus <file>', 'corpus file; repeat for several', collect)
    .requiredOption('--out <dir>', 'index folder to write (replaced atomically when empty or an index folder)')
    .option('--overwrite', 'replace --out even when it is not an index folder (a file, other files)')
    .option('--k1 <n>', 'BM25 k1', parseNumber('--k1', 0, 1000), 0.9)
    .option('--b <n>', 'BM25 b', parseNumber('--b', 0, 1), 0.4)
    .addOption(new Option('--stemmer <name>', 'stemmer').choices(['porter', 'none']).default('porter'))
    .addOption(new Option('--stopwords <name>', 'stop words').choices(['lucene', 'none']).default('lucene'))
    .addOption(
      new Option('--format <name>', 'corpus line format')
        .choices(['auto', 'pyserini', 'beir', 'jsonl', 'dpr-tsv', 'facts'])
        .default('auto'),
    )
    .option('--skip-malformed', 'skip and count malformed lines instead of failing')
    .option('--strict', 'refuse bytes that are not UTF-8 (default: read them as U+FFFD, count them and warn)')
    .option(
      '--threads <n>',
      'worker threads analysing and inverting the corpus (segments spilled beside --out, merged into one index ' +
        'identical to the in-thread build); 0 builds in the calling thread, in memory',
      parseNumber('--threads', 0, 1024, true),
      os.availableParallelism(),
    )
    .option('--progress', 'show a progress bar even when stderr is not a terminal')
    .option('--no-progress', 'never show a progress bar')
    .action(async (o: IndexOptions) => {
      const started = Date.now();
      // refuse a foreign --out before the (long) build, not after it
      assertReplaceable(o.out, { ...BM25_INDEX_OWNER, overwrite: o.overwrite });
      const files: CorpusFileInfo[] = [];
      for (const file of o.corpus) files.push(await describeFile(file));
      const progress = createProgress({ label: 'index', unit: 'passages', show: o.progress });
      const readOptions: ReadPassagesOptions = {
        format: o.format,
        onError: o.skipMalformed ? 'skip' : 'throw',
        onInvalidUtf8: o.strict ? 'throw' : 'count',
      };
      let index: Bm25Index;
      let readers: { file: string; stats: ReadStats }[];
      try {
        const built = await Bm25Index.buildFiles(o.corpus, {
          read: readOptions,
          k1: o.k1,
          b: o.b,
          stemmer: o.stemmer,
          stopwords: o.stopwords,
          corpus: files,
          threads: o.threads,
          // spill segments on the output's file system, never inside --out (which is swapped in whole)
          tempDir: path.dirname(path.resolve(o.out)),
          target: path.resolve(o.out),
          onProgress: (n) => progress.update(n),
        });
        index = built.index;
        readers = o.corpus.map((file, i) => ({ file, stats: built.stats[i] }));
      } finally {
        progress.stop();
      }
      readers.forEach((r, i) => {
        files[i].passages = r.stats.read;
        if (r.stats.invalidUtf8) files[i].invalidUtf8 = r.stats.invalidUtf8.sequences;
      });
      await index.save(o.out, { overwrite: o.overwrite });
      for (const r of readers) {
        if (r.stats.skipped > 0)
          io.stderr(
            `${r.file}: skipped ${r.stats.skipped} malformed lines (first: ${r.stats.skippedLines.join(', ')})\n`,
          );
        if (r.stats.invalidUtf8) io.stderr(`${invalidUtf8Warning(r.file, r.stats.invalidUtf8)}\n`);
      }
      io.stdout(
        `indexed ${index.size} passages, ${index.termCount} terms in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
          `-> ${o.out}\n`,
      );
    });
}
