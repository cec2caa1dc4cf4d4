import * as path from 'node:path';
import { Command } from 'commander';
import { describeCliError, signalExitCode } from '@kard/core';
import { checkConfigPaths, ConfigError, runEvaluation, startBackend } from '@kard/pipeline';
import { addConfigOptions, configFromOptions } from '@kard/pipeline';
import { stageProgress } from '@kard/pipeline';

const program = addConfigOptions(
  new Command('kard-eval')
    .description(
      'Evaluate a trained run: ft (answer only), rd (no knowledge), kard-bm25, kard-reranker; writes ' +
        '<run>/eval/report.json, report.md, accuracy.svg and predictions.',
    )
    .option('--methods <list>', 'methods, comma-separated (= --eval-methods)')
    .option('--n-docs <n>', 'passages given to the student (= --eval-n-docs)')
    .option('--max-doc <n>', 'BM25 candidates the reranker reorders (= --eval-max-doc)')
    .option('--sc <n>', 'self-consistency: sampled rationales per question, majority vote (= --eval-sc)')
    .option('--out <dir>', 'report folder (default <run>/eval); replaced only when empty or a report folder')
    .option('--overwrite', 'replace --out even when it is not a report folder (a file, other files)')
    .showHelpAfterError(),
).action(async (opts: Record<string, unknown>) => {
  const cfg = configFromOptions(opts, {
    methods: 'eval.methods',
    nDocs: 'eval.nDocs',
    maxDoc: 'eval.maxDoc',
    sc: 'eval.sc',
  });
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
  process.stderr.write(`[kard-eval] report: ${path.join(out, 'report.md')}\n`);
});

// a config error exits 2, any other error we throw on purpose 1, both with the message only; a bug keeps its stack
program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`kard-eval: ${describeCliError(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
