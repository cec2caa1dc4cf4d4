#!/usr/bin/env node
// One measured step of the retrieval benchmark, in its own process so its peak RSS (getrusage maxRSS) is its own:
//   build <impl> <threads> <outDir> <corpus files...>   impl: current (this checkout) or a bundled baseline file
//   load <indexDir>                                       load an index, as a server would
//   idle                                                  node itself (the RSS every child starts from)
// Prints one JSON line: {seconds, maxRssBytes, ...}.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [mode, ...args] = process.argv.slice(2);

async function main() {
  const t = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - t) / 1e9;
  const out = {};
  if (mode === 'build') {
    const [impl, threadsArg, outDir, ...files] = args;
    const threads = Number(threadsArg);
    const { readPassages } = require('@kard/knowledge-base');
    const { Bm25Index } = impl === 'current' ? require('@kard/retriever') : require(impl);
    async function* passages() {
      for (const f of files) yield* readPassages(f);
    }
    // the baseline is today's single-thread builder: it takes no threads option and reads passages; this
    // checkout builds from the files (with threads, its workers parse them)
    const index =
      impl === 'current'
        ? (await Bm25Index.buildFiles(files, { threads })).index
        : await Bm25Index.build(passages(), {});
    out.buildSeconds = seconds();
    out.documents = index.size;
    out.terms = index.termCount;
    if (outDir !== '-') await index.save(outDir, { overwrite: true });
  } else if (mode === 'load') {
    const { Bm25Index } = require('@kard/retriever');
    const index = Bm25Index.load(args[0]);
    out.loadSeconds = seconds();
    out.documents = index.size;
  } else if (mode !== 'idle') throw new Error(`bench-child: unknown mode ${mode}`);
  out.seconds = seconds();
  out.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
