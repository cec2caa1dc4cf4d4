import { Command } from 'commander';
import { describeCliError, signalExitCode } from '@kard/core';
import {
  checkConfigPaths,
  ConfigError,
  lockRunFolder,
  RunFolder,
  STAGES,
  TrainingPipeline,
  startBackend,
  writeRunInfo,
  type StageName,
} from '@kard/pipeline';
import { addConfigOptions, configFromOptions } from '@kard/pipeline';
import { stageProgress } from '@kard/pipeline';

const program = addConfigOptions(
  new Command('kard-train')
    .description(
      'Train the KARD pipeline into a run folder: BM25 index, prepared data, students (ft, rd, kard) and the ' +
        'reranker. Finished stages are skipped; interrupted ones resume from their checkpoint.',
    )
    .argument('[stage]', `one of ${STAGES.join(', ')}`, 'all')
    .option(
      '--model <name>',
      'student model: scratch, a folder, or a Hub id such as google/flan-t5-base (= --student-model)',
    )
    .option('--method <list>', 'students to train, comma-separated: ft,rd,kard (= --student-methods)')
    .showHelpAfterError(),
).action(async (stage: string, opts: Record<string, unknown>) => {
  if (!(STAGES as readonly string[]).includes(stage))
    throw new ConfigError(`unknown stage (known: ${STAGES.join(', ')})`, 'stage');
  const cfg = configFromOptions(opts, { model: 'student.model', method: 'student.methods' });
  // every input path, before any stage (or the run folder) is made
  checkConfigPaths(cfg, stage as StageName);
  // one process per run folder, from before anything in it is touched until exit (signals and errors included)
  const lock = lockRunFolder(cfg.run);
  const run = new RunFolder(cfg.run, { echo: (line) => process.stderr.write(`[kard-train] ${line}\n`) });
  const backend = await startBackend(cfg);
  run.log.write('start', { stage, backend, message: `stage ${stage} on ${backend}` });
  const progress = stageProgress(cfg.progress);
  const pipeline = new TrainingPipeline(cfg, run, { onProgress: (s, d, t, info) => progress.update(s, d, t, info) });
  const stopped = (signal: NodeJS.Signals) => {
    progress.stop();
    run.log.write('interrupted', { signal, message: 'stopped; rerun the same command to resume' });
    process.exit(signalExitCode(signal)); // SIGINT 130, SIGTERM 143, as a shell reports them
  };
  process.once('SIGINT', stopped);
  process.once('SIGTERM', stopped);
  const started = Date.now();
  await pipeline.runStage(stage as StageName);
  progress.stop();
  writeRunInfo(run, cfg, backend);
  run.log.write('done', { stage, seconds: (Date.now() - started) / 1000 });
  lock.release();
  process.stderr.write(`[kard-train] ${stage} done: ${run.dir}\n`);
});

// a config error exits 2, any other error we throw on purpose 1, both with the message only; a bug keeps its stack
program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`kard-train: ${describeCliError(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
