import { Command } from 'commander';
import { describeCliError, signalExitCode } from '@kard/core';
import {
  checkConfigPaths,
  ConfigError,
  exportWebBundle,
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
    .showHelpAfterError()
    // `export-web --run` is the subcommand's own flag, not the training config's `--run`
    .enablePositionalOptions(),
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

program
  .command('export-web')
  .description(
    'Write a finished run as a static bundle for apps/kard-web (BM25 index, passage chunks, reranker, student, ' +
      'manifest.json with sizes and sha256), atomically',
  )
  .requiredOption('--run <dir>', 'the run folder (index, reranker and a student trained)')
  .requiredOption('--out <dir>', 'the bundle folder to write (e.g. dist/kard-web-data)')
  .option('--student <method>', 'which trained student the page runs: kard or rd', 'kard')
  .option('--chunk-bytes <n>', 'bytes per passage chunk file', (v) => Number(v), 1 << 20)
  .option('--overwrite', 'replace an existing --out that is not a bundle folder')
  .action(async (o: { run: string; out: string; student: string; chunkBytes: number; overwrite?: boolean }) => {
    if (o.student !== 'kard' && o.student !== 'rd') throw new ConfigError('expected kard or rd', 'student');
    const m = await exportWebBundle(o.run, o.out, {
      student: o.student,
      chunkBytes: o.chunkBytes,
      overwrite: o.overwrite,
    });
    const mib = (m.totalBytes / (1 << 20)).toFixed(1);
    process.stdout.write(
      `${JSON.stringify({ out: o.out, files: Object.keys(m.files).length, totalBytes: m.totalBytes })}\n`,
    );
    process.stderr.write(
      `[kard-train] export-web: ${o.out} (${Object.keys(m.files).length} files, ${mib} MiB; ` +
        `${m.passages.size} passages in ${m.passages.chunks.length} chunks, ${m.reranker.members.length} reranker(s), ` +
        `student ${m.student.method})\n`,
    );
  });

// a config error exits 2, any other error we throw on purpose 1, both with the message only; a bug keeps its stack
program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`kard-train: ${describeCliError(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
