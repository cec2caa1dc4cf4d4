import * as path from 'node:path';
import { Command } from 'commander';
import { describeCliError, signalExitCode, UsageError } from '@kard/core';
import { checkConfigPaths, ConfigError, runEvaluation, startBackend } from '@kard/pipeline';
import { addConfigOptions, configFromOptions } from '@kard/pipeline';
import { stageProgress } from '@kard/pipeline';

const program = addConfigOptions(
  new Command('kard-eval')
    .description(
      'Evaluate a trained run: ft (answer only), rd (no knowledge), kard-bm25, kard-reranker, and kard-oracle ' +
        "(the upper bound: passages retrieved with the teacher's rationale); writes <run>/eval/report.json, " +
        'report.md, accuracy.svg, loss-curves.svg and predictions. Decoding defaults to the reference: 5 sampled ' +
        'rationales (top-k 50, top-p 0.95), majority vote.',
    )
    .option('--methods <list>', 'methods, comma-separated (= --eval-methods)')
    .option('--n-docs <n>', 'passages given to the student (= --eval-n-docs)')
    .option('--max-doc <n>', 'BM25 candidates the reranker reorders (= --eval-max-doc)')
    .option(
      '--sc <n>',
      'self-consistency: n sampled rationales per question, majority vote (sets --eval-decoding sample)',
    )
    .option('--greedy', 'greedy decoding (= --eval-decoding greedy)')
    .option('--beams <n>', 'beam search with n beams (sets --eval-decoding beam)')
    .option('--length-penalty <x>', 'beam search: score / length ** x (= --eval-length-penalty)')
    .option('--temperature <t>', 'sampling temperature (= --eval-temperature)')
    .option('--top-k <k>', 'sampling: top-k (= --eval-top-k)')
    .option('--top-p <p>', 'sampling: top-p (= --eval-top-p)')
    .option('--query <mode>', 'retrieval query: question-options or question (= --eval-query)')
    .option('--oracle-rationales <file>', 'kard-oracle: test-set teacher rationales (= --eval-oracle-rationales)')
    .option(
      '--compare <dir>',
      'another report folder of the same questions (e.g. greedy vs --sc 5): each method against its namesake there, ' +
        'exact McNemar test',
    )
    .option('--out <dir>', 'report folder (default <run>/eval); replaced only when empty or a report folder')
    .option('--overwrite', 'replace --out even when it is not a report folder (a file, other files)')
    .showHelpAfterError(),
).action(async (opts: Record<string, unknown>) => {
  const decoding = [opts.sc !== undefined && 'sample', opts.greedy && 'greedy', opts.beams !== undefined && 'beam'];
  if (decoding.filter(Boolean).length > 1)
    throw new UsageError('--sc, --greedy and --beams each pick a decoding: give one of them');
  const cfg = configFromOptions(
    { ...opts, decoding: decoding.find(Boolean) || undefined },
    {
      methods: 'eval.methods',
      nDocs: 'eval.nDocs',
      maxDoc: 'eval.maxDoc',
      sc: 'eval.sc',
      decoding: 'eval.decoding',
      beams: 'eval.numBeams',
      lengthPenalty: 'eval.lengthPenalty',
      temperature: 'eval.temperature',
      topK: 'eval.topK',
      topP: 'eval.topP',
      query: 'eval.query',
      oracleRationales: 'eval.oracleRationales',
    },
  );
  checkConfigPaths(cfg, 'eval');
  const progress = stageProgress(cfg.progress);
  const stopped = (signal: NodeJS.Signals) => {
    progress.stop();
    process.stderr.write(`[kard-eval] stopped by ${signal}; no report written (it is written whole at the end)\n`);
    process.exit(signalExitCode(signal)); // SIGINT 130, SIGTERM 143, as a shell reports them
  };
  process.once('SIGINT', stopped);
  process.once('SIGTERM', stopped);
  const backend = await startBackend(cfg);
  process.stderr.write(`[kard-eval] backend ${backend}\n`);
  const report = await runEvaluation(cfg, {
    outDir: opts.out as string | undefined,
    overwrite: opts.overwrite === true,
    compare: opts.compare as string | undefined,
    onProgress: (m, d, t) => progress.update(m, d, t),
    log: (line) => {
      progress.stop();
      process.stderr.write(`[kard-eval] ${line}\n`);
    },
  });
  progress.stop();
  const out = path.resolve((opts.out as string | undefined) ?? path.join(cfg.run, 'eval'));
  const summary = report.methods.map((m) => ({
    name: m.name,
    accuracy: m.accuracy,
    ci95: m.ci95,
    n: m.n,
    unparsed: m.unparsed,
  }));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  for (const c of report.compared?.methods ?? [])
    process.stderr.write(
      `[kard-eval] ${c.name}: ${(100 * c.accuracy).toFixed(1)}% here vs ${(100 * c.otherAccuracy).toFixed(1)}% in ` +
        `${report.compared!.report} (n ${c.n}; only here right ${c.onlyFirst}, only there ${c.onlySecond}; exact ` +
        `McNemar p ${c.p.toPrecision(3)})\n`,
    );
  process.stderr.write(`[kard-eval] report: ${path.join(out, 'report.md')}\n`);
});

// a config error exits 2, any other error we throw on purpose 1, both with the message only; a bug keeps its stack
program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`kard-eval: ${describeCliError(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
