import { Command, Option } from 'commander';
import { statSync } from 'node:fs';
import path from 'node:path';
import { PubmedAbstracts } from '../builders/pubmed';
import { WikipediaParagraphs } from '../builders/wikipedia';
import type { Passage } from '../passage';
import type { CorpusFormat } from '../readers/formats';
import { invalidUtf8Warning, type PassageReader, readPassages } from '../readers/read-passages';
import { DATA_FILE, IDS_FILE, OFFSETS_FILE } from '../store/layout';
import { PassageStore } from '../store/passage-store';
import { writePassagesJsonl } from '../write-jsonl';

interface OutputFlags {
  out: string;
  overwrite?: boolean;
  progress?: boolean;
}

/**
 * `.jsonl` writes a corpus file, anything else a PassageStore folder. Builders that show their own bar (bytes of
 * the dump read, with an ETA) pass `ownBar` so two bars do not fight over one terminal line.
 */
async function writeOutput(
  source: AsyncIterable<Passage>,
  flags: OutputFlags,
  description: string,
  ownBar = false,
): Promise<number> {
  const options = { overwrite: flags.overwrite, progress: ownBar ? false : flags.progress };
  if (flags.out.endsWith('.jsonl')) return writePassagesJsonl(source, flags.out, options);
  const store = await PassageStore.build(source, flags.out, { ...options, source: description });
  const size = store.size;
  store.close();
  return size;
}

const outputOptions = (cmd: Command) =>
  cmd
    .requiredOption(
      '-o, --out <path>',
      'output: FILE.jsonl for a corpus file, any other path for a PassageStore folder',
    )
    .option('--overwrite', 'replace an existing output even when it is not a passage store (a file, other files)')
    .option('--progress', 'always show a progress bar (default: when stderr is a terminal)')
    .option('--no-progress', 'never show a progress bar');

type BuildFlags = OutputFlags & {
  input: string[];
  format: 'auto' | CorpusFormat;
  skipMalformed?: boolean;
  strict?: boolean;
};

async function* chain(readers: PassageReader[]): AsyncGenerator<Passage> {
  for (const reader of readers) yield* reader;
}

/**
 * The `kard-kb` command line; `cli.ts` runs it, tests call it with an argv. `configure` runs on the root command
 * before the subcommands are added, so settings it makes (exitOverride, configureOutput) are inherited by them.
 */
export function createProgram(configure: (root: Command) => Command = (root) => root): Command {
  const program = configure(new Command('kard-kb'))
    .description('Build and inspect KARD knowledge bases: passage corpora stored on disk with random access.')
    .showHelpAfterError();

  outputOptions(
    program
      .command('build')
      .description(
        'Build a PassageStore (or a JSONL file) from corpus files: Pyserini/BEIR/plain JSONL or DPR TSV, plain or ' +
          'gzip.',
      )
      .requiredOption('-i, --input <files...>', 'corpus file(s), read in order')
      .addOption(
        new Option('-f, --format <format>', 'line format')
          .choices(['auto', 'pyserini', 'beir', 'jsonl', 'dpr-tsv', 'facts'])
          .default('auto'),
      )
      .option('--skip-malformed', 'skip and count malformed lines instead of stopping at the first')
      .option('--strict', 'refuse bytes that are not UTF-8 (default: read them as U+FFFD, count them and warn)'),
  ).action(async (flags: BuildFlags) => {
    const readers = flags.input.map((f) =>
      readPassages(f, {
        format: flags.format,
        onError: flags.skipMalformed ? 'skip' : 'throw',
        onInvalidUtf8: flags.strict ? 'throw' : 'count',
      }),
    );
    const n = await writeOutput(
      chain(readers),
      flags,
      `kard-kb build ${flags.input.map((f) => path.basename(f)).join(' ')}`,
    );
    for (const r of readers) {
      const skipped = r.stats.skipped
        ? `, skipped ${r.stats.skipped} malformed (lines ` +
          `${r.stats.skippedLines.join(', ')}${r.stats.skipped > r.stats.skippedLines.length ? ', ...' : ''})`
        : '';
      const bad = r.stats.invalidUtf8;
      const invalid = bad
        ? `, ${bad.sequences} invalid UTF-8 sequences read as U+FFFD (first: line ${bad.firstLine})`
        : '';
      console.log(`${r.file}: ${r.stats.read} passages (${r.stats.format})${skipped}${invalid}`);
      if (bad) console.error(invalidUtf8Warning(r.file, bad));
    }
    console.log(`wrote ${n} passages to ${flags.out}`);
  });

  outputOptions(
    program
      .command('wikipedia')
      .description(
        'One passage per paragraph of every article in a MediaWiki XML dump (.xml or .xml.bz2), ids Title-N.',
      )
      .requiredOption('-d, --dump <file>', 'pages-articles dump, e.g. enwiki-latest-pages-articles.xml.bz2')
      .option('--min-chars <n>', 'drop paragraphs shorter than this', (v) => Number.parseInt(v, 10), 1),
  ).action(async (flags: OutputFlags & { dump: string; minChars: number }) => {
    const wiki = new WikipediaParagraphs(flags.dump, { minChars: flags.minChars, progress: flags.progress });
    const n = await writeOutput(wiki, flags, `kard-kb wikipedia ${path.basename(flags.dump)}`, true);
    const s = wiki.stats;
    console.log(`${s.articles} articles (skipped ${s.redirects} redirects, ${s.otherNamespaces} non-article pages)`);
    console.log(`wrote ${n} passages to ${flags.out}`);
  });

  outputOptions(
    program
      .command('pubmed')
      .description('Title + abstract passages, id PMID:n, from PubMed baseline/update XML files (.xml or .xml.gz).')
      .requiredOption('-i, --input <files...>', 'pubmed25nNNNN.xml.gz files, read in order'),
  ).action(async (flags: OutputFlags & { input: string[] }) => {
    const pubmed = new PubmedAbstracts(flags.input, { progress: flags.progress });
    const n = await writeOutput(pubmed, flags, `kard-kb pubmed ${flags.input.length} file(s)`, true);
    console.log(`${pubmed.stats.articles} articles (skipped ${pubmed.stats.withoutAbstract} without abstract)`);
    console.log(`wrote ${n} passages to ${flags.out}`);
  });

  program
    .command('info')
    .description('Describe a PassageStore folder: version, size, files, and its first passage.')
    .argument('<dir>', 'store folder')
    .action((dir: string) => {
      const store = PassageStore.open(dir);
      const m = store.manifest;
      console.log(`${dir}: passage store version ${m.version}, ${m.size} passages, built ${m.createdAt}`);
      if (m.source) console.log(`source: ${m.source}`);
      for (const f of [DATA_FILE, OFFSETS_FILE, IDS_FILE])
        console.log(`  ${f}: ${statSync(path.join(dir, f)).size} bytes`);
      console.log(`first passage: ${JSON.stringify(store.at(0)).slice(0, 200)}`);
      store.close();
    });

  program
    .command('get')
    .description('Print passages of a PassageStore by id, one JSON line each (exit code 1 when an id is missing).')
    .argument('<dir>', 'store folder')
    .argument('<ids...>', 'passage ids')
    .action((dir: string, ids: string[]) => {
      const store = PassageStore.open(dir);
      let missing = 0;
      for (const id of ids) {
        const p = store.get(id);
        if (p) console.log(JSON.stringify(p));
        else {
          console.error(`not found: ${id}`);
          missing++;
        }
      }
      store.close();
      if (missing) process.exitCode = 1;
    });
  return program;
}
