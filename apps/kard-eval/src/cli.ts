import * as path from 'node:path';
import { Command } from 'commander';
import { ConfigError, runEvaluation, startBackend } from '@kard/pipeline';
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
    .option('--out <dir>', 'report folder (default <run>/eval)')
    .showHelpAfterError(),
).action(async (opts: Record<string, unknown>) => {
  const cfg = configFromOptions(opts, {
    methods: 'eval.methods',
    nDocs: 'eval.nDocs',
    maxDoc: 'eval.maxDoc',
    sc: 'eval.sc',
  });
  const backend = await startBackend(cfg);
  process.stderr.write(`[kard-eval] backend ${backend}\n`);
  // exit through process.exit so the run folder's lock is released
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const progress = stageProgress(cfg.progress);
  const report = await runEvaluation(cfg, {
    outDir: opts.out as string | undefined,
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

program.parseAsync().catch((err: Error) => {
  process.stderr.write(`kard-eval: ${err.message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
