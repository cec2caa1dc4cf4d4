// One process per run folder, and kard-eval reads only stages made under the config it is given.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  loadConfig,
  lockRunFolder,
  RunFolder,
  RunFolderLockedError,
  runEvaluation,
  StagePlan,
  StaleStagesError,
  type KardConfig,
  type PlannedStage,
} from '../src';
import type { StudentMethod } from '../src/config/schema';
import { staleStages } from '../src/eval/stage-check';

const root = path.resolve(__dirname, '../../..');
const tiny = (runDir: string, overrides: Record<string, unknown> = {}) =>
  loadConfig(path.join(__dirname, 'fixtures', 'tiny.config.yaml'), { run: runDir, ...overrides });

/** Marks a planned stage done with a placeholder output, as kard-train would after running it. */
async function fakeStage(run: RunFolder, p: PlannedStage): Promise<void> {
  await run.stage(
    p.stage,
    p.inputs,
    async () => {
      fs.mkdirSync(run.path(p.outputs[0]), { recursive: true });
      fs.writeFileSync(run.path(p.outputs[0], 'made-by.txt'), p.hash);
    },
    { outputs: p.outputs },
  );
}

/** The stages kard-eval reads for the tiny config's methods (ft, rd, kard-bm25, kard-reranker), marked done under `cfg`. */
async function trainFake(
  run: RunFolder,
  cfg: KardConfig,
  methods: StudentMethod[] = ['ft', 'rd', 'kard'],
): Promise<void> {
  const plan = new StagePlan(cfg);
  for (const p of [
    await plan.index(),
    await plan.reranker(),
    ...(await Promise.all(methods.map((m) => plan.student(m)))),
  ])
    await fakeStage(run, p);
}

let cwd = '';
beforeAll(() => {
  cwd = process.cwd();
  process.chdir(root); // the config's paths are relative to the repository root
});
afterAll(() => process.chdir(cwd));

test('kard-eval refuses a run folder whose ft and rd students were trained under other settings, naming them', async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-stale-'));
  const run = new RunFolder(runDir);
  const cfg = tiny(runDir, { 'student.steps': 120 });
  await trainFake(run, cfg);
  expect(await staleStages(new StagePlan(cfg), run)).toEqual([]);
  // a second kard-train with --student-steps 60 --method ft,rd
  await trainFake(run, tiny(runDir, { 'student.steps': 60 }), ['ft', 'rd']);
  const reason = 'made under another config (student.steps: made with 60, this config 120)';
  expect(await staleStages(new StagePlan(cfg), run)).toEqual([
    { stage: 'student-ft', reason },
    { stage: 'student-rd', reason },
  ]);
  const err = await runEvaluation(cfg).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StaleStagesError);
  expect((err as Error).message).toBe(
    `run folder ${runDir} does not hold what this config trains; stale stages:\n` +
      `  student-ft: ${reason}\n  student-rd: ${reason}\n` +
      'Run kard-train with this config (the same --config and flags) to bring them up to date, then kard-eval again.',
  );
  expect(fs.existsSync(path.join(runDir, 'eval'))).toBe(false);
  expect(fs.existsSync(path.join(runDir, '.lock'))).toBe(false); // released after the refusal
  // under the 60-step config it is kard that is stale; a changed output is named too
  expect(await staleStages(new StagePlan(tiny(runDir, { 'student.steps': 60 })), run)).toEqual([
    { stage: 'student-kard', reason: 'made under another config (student.steps: made with 120, this config 60)' },
  ]);
  fs.writeFileSync(run.path('reranker', 'made-by.txt'), 'x');
  expect((await staleStages(new StagePlan(cfg), run)).map((s) => s.reason)).toContain(
    'output reranker/made-by.txt changed (size 64 -> 1)',
  );
});

test('kard-eval refuses a run folder locked by another process, before touching it', async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-locked-'));
  const lock = lockRunFolder(runDir);
  try {
    const holder = JSON.parse(fs.readFileSync(path.join(runDir, '.lock'), 'utf8'));
    expect(holder).toEqual({ pid: process.pid, host: os.hostname(), started: expect.any(String) });
    const err = await runEvaluation(tiny(runDir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFolderLockedError);
    expect((err as Error).message).toBe(
      `run folder ${runDir} is in use by pid ${process.pid} on ${os.hostname()} (started ${holder.started})`,
    );
    expect(fs.readdirSync(runDir)).toEqual(['.lock']);
  } finally {
    lock.release();
  }
  expect(fs.readdirSync(runDir)).toEqual([]);
});
