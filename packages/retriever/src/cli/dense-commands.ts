import { Command, Option } from 'commander';
import { DenseIndex, DENSE_INDEX_OWNER, readVectorsFile } from '../dense';
import { formatRunLines } from '../trec';
import { assertReplaceable, writeFileAtomic } from '@kard/core';
import { parseNumber } from './io';

interface DenseIndexCommandOptions {
  vectors: string;
  ids?: string;
  out: string;
  overwrite?: boolean;
  metric: 'ip' | 'cosine';
  hnsw?: boolean;
  m: number;
  efConstruction: number;
  efSearch: number;
}

interface DenseSearchCommandOptions {
  index: string;
  vectorsQueries: string;
  queryIds?: string;
  k: number;
  output: string;
  tag: string;
  efSearch?: number;
}

const VECTOR_FORMATS =
  'a .npy float32 [n, dim] array (ids in FILE minus .npy plus .ids.txt, one per line, unless given) ' +
  'or JSON lines {"id": ..., "vector": [...]}';

/** Adds `dense-index` and `dense-search` (faiss, precomputed vectors) to the CLI. */
export function registerDenseCommands(program: Command): void {
  // The program's own output functions (the CLI's io), so tests capture what these commands print.
  const output = program.configureOutput();
  const out = (text: string) => output.writeOut!(text);
  const add = (command: Command) => program.addCommand(command.exitOverride().configureOutput(output));

  add(
    new Command('dense-index')
      .description(`Build a faiss dense index from precomputed vectors: ${VECTOR_FORMATS}`)
      .requiredOption('--vectors <file>', 'passage vectors (.npy or .jsonl)')
      .option('--ids <file>', 'ids file for .npy vectors (default: <vectors minus .npy>.ids.txt)')
      .requiredOption('--out <dir>', 'index folder to write (replaced atomically when empty or an index folder)')
      .option('--overwrite', 'replace --out even when it is not a dense index folder (a file, other files)')
      .addOption(
        new Option('--metric <metric>', 'inner product, or cosine (normalises vectors)')
          .choices(['ip', 'cosine'])
          .default('ip'),
      )
      .option('--hnsw', 'approximate HNSW graph instead of exact flat search')
      .option('--m <n>', 'HNSW neighbours per node', parseNumber('--m', 2, 512, true), 32)
      .option('--ef-construction <n>', 'HNSW build breadth', parseNumber('--ef-construction', 1, 1e5, true), 40)
      .option(
        '--ef-search <n>',
        'HNSW search breadth stored with the index',
        parseNumber('--ef-search', 1, 1e5, true),
        128,
      )
      .action(async (o: DenseIndexCommandOptions) => {
        const started = Date.now();
        assertReplaceable(o.out, { ...DENSE_INDEX_OWNER, overwrite: o.overwrite });
        const index = await DenseIndex.fromVectorsFile(o.vectors, {
          ids: o.ids,
          metric: o.metric,
          type: o.hnsw ? 'hnsw' : 'flat',
          hnsw: { m: o.m, efConstruction: o.efConstruction, efSearch: o.efSearch },
        });
        await index.save(o.out, { overwrite: o.overwrite });
        const seconds = ((Date.now() - started) / 1000).toFixed(2);
        out(
          `indexed ${index.size} vectors of dimension ${index.dim} (${index.type}, ${index.metric}) in ${seconds} s ` +
            `-> ${o.out}\n`,
        );
      }),
  );

  add(
    new Command('dense-search')
      .description(`Search a dense index with precomputed query vectors (${VECTOR_FORMATS}); writes a TREC run`)
      .requiredOption('--index <dir>', 'index folder written by `kard-retriever dense-index`')
      .requiredOption('--vectors-queries <file>', 'query vectors (.npy or .jsonl); their ids are the qids')
      .option('--query-ids <file>', 'qids file for .npy query vectors (default: <file minus .npy>.ids.txt)')
      .requiredOption('--output <file>', 'TREC run file to write (qid Q0 docid rank score tag)')
      .option('--k <n>', 'hits per query', parseNumber('--k', 1, 1e7, true), 1000)
      .option('--tag <tag>', 'run tag (last column)', 'dense')
      .option(
        '--ef-search <n>',
        'HNSW search breadth (default: the one saved with the index)',
        parseNumber('--ef-search', 1, 1e5, true),
      )
      .action(async (o: DenseSearchCommandOptions) => {
        const index = DenseIndex.load(o.index, { efSearch: o.efSearch });
        const queries = await readVectorsFile(o.vectorsQueries, { idsFile: o.queryIds, dim: index.dim });
        const started = Date.now();
        const results = index.searchVectors(queries.data, o.k);
        const run = results.map((hits, q) => formatRunLines(queries.ids[q], hits, o.tag)).join('');
        writeFileAtomic(o.output, run);
        const seconds = ((Date.now() - started) / 1000).toFixed(2);
        out(`${queries.ids.length} queries in ${seconds} s -> ${o.output}\n`);
      }),
  );
}
