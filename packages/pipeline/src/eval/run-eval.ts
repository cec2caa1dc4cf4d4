import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetName, type EvalMethod, type KardConfig } from '../config/schema';
import { assertReplaceable, readJsonFile, readJsonl, UsageError } from '@kard/core';
import { readLossCurves } from '../report/loss-curves';
import { REPORT_OWNER, writeReport, type EvalReport } from '../report/report';
import { RunFolder } from '../run/run-folder';
import { lockRunFolder } from '../run/run-lock';
import { indexFolder, openPassages } from '../stages/sources';
import { StagePlan } from '../stages/stage-plan';
import { rationaleLoss, rerankerMetrics } from './diagnostics';
import { evalQuestions, evaluateMethod, type Prediction } from './evaluate';
import { assertStagesCurrent } from './stage-check';
import { majorityClass, pairedTest } from './stats';

/**
 * Evaluates every configured method and writes `<run>/eval/` (report.json, report.md, accuracy.svg, predictions),
 * or `outDir`: that one is replaced only when empty or a report folder, unless `overwrite` (checked before the
 * evaluation starts, and again when writing). Holds the run folder's lock throughout (`RunFolderLockedError` while
 * kard-train or another kard-eval works in it), and first checks that every stage it reads was trained under `cfg`
 * (`StaleStagesError` naming those that were not).
 */
export async function runEvaluation(
  cfg: KardConfig,
  opts: {
    outDir?: string;
    overwrite?: boolean;
    /** Another report folder of the same questions: each method is tested against its namesake there. */
    compare?: string;
    onProgress?: (method: string, done: number, total: number) => void;
    log?: (msg: string) => void;
  } = {},
): Promise<EvalReport> {
  const runDir = path.resolve(cfg.run);
  // <run>/eval is ours by construction; a folder the user names is checked before hours of decoding, not after
  const replace = { overwrite: opts.outDir === undefined || opts.overwrite };
  if (opts.outDir !== undefined) assertReplaceable(opts.outDir, { ...REPORT_OWNER, ...replace });
  if (opts.compare !== undefined) readComparedReport(opts.compare); // a wrong folder is named before decoding
  const lock = lockRunFolder(runDir);
  try {
    const plan = new StagePlan(cfg);
    await assertStagesCurrent(plan, new RunFolder(runDir));
    return await evaluate(plan, runDir, opts, replace);
  } finally {
    lock.release();
  }
}

async function evaluate(
  plan: StagePlan,
  runDir: string,
  opts: Parameters<typeof runEvaluation>[1] & object,
  replace: { overwrite: boolean | undefined },
): Promise<EvalReport> {
  // the store kard-train's stages read; a run folder from before it existed gets it built here, from the same files
  const cfg = plan.cfg;
  const passages = await openPassages(new RunFolder(runDir), plan);
  const questions = evalQuestions(cfg);
  const ctx = { cfg, runDir, passages, onProgress: opts.onProgress };
  const methods: EvalReport['methods'] = [];
  const predictions: Record<string, Prediction[]> = {};
  for (const m of cfg.eval.methods as EvalMethod[]) {
    const { result, predictions: p } = await evaluateMethod(m, questions, ctx);
    const { student: _s, ...kept } = result;
    methods.push(kept);
    predictions[m] = p;
    opts.log?.(
      `${m}: accuracy ${(100 * result.accuracy).toFixed(1)}% (n ${result.n}, unparsed ${result.unparsed}) in ` +
        `${result.seconds.toFixed(0)} s`,
    );
  }
  let t0 = Date.now();
  const reranking = await rerankerMetrics(runDir, passages, cfg.seed, indexFolder(cfg, runDir));
  const rerankingSeconds = (Date.now() - t0) / 1000;
  t0 = Date.now();
  const rationale = await rationaleLoss(cfg, runDir);
  const rationaleSeconds = (Date.now() - t0) / 1000;
  opts.log?.(
    `diagnostics: reranker vs BM25 in ${rerankingSeconds.toFixed(0)} s, rationale loss with/without knowledge in ` +
      `${rationaleSeconds.toFixed(0)} s`,
  );
  const evidenceHitRate: Record<string, number> = {};
  for (const m of methods) if (m.evidenceHitRate !== undefined) evidenceHitRate[m.name] = m.evidenceHitRate;
  const paired: NonNullable<EvalReport['paired']> = [];
  for (const [i, a] of methods.entries())
    for (const b of methods.slice(i + 1))
      paired.push({ first: a.name, second: b.name, ...pairedTest(predictions[a.name], predictions[b.name]) });
  const lossCurves = readLossCurves(runDir);
  const report: EvalReport = {
    createdAt: new Date().toISOString(),
    run: runDir,
    dataset: {
      name: datasetName(cfg) ?? path.basename(cfg.dataset.eval),
      file: path.resolve(cfg.dataset.eval),
      questions: questions.length,
    },
    settings: {
      nDocs: cfg.eval.nDocs,
      maxDoc: cfg.eval.maxDoc,
      sc: cfg.eval.sc,
      maxNewTokens: cfg.eval.maxNewTokens,
      noRepeatNgramSize: cfg.eval.noRepeatNgramSize,
      answerFallback: cfg.eval.answerFallback,
      query: cfg.eval.query,
      decoding: cfg.eval.decoding,
      temperature: cfg.eval.temperature,
      topK: cfg.eval.topK,
      topP: cfg.eval.topP,
      numBeams: cfg.eval.numBeams,
      lengthPenalty: cfg.eval.lengthPenalty,
      samplingSeed: cfg.eval.samplingSeed ?? cfg.seed,
    },
    methods,
    retrieval: { reranking, evidenceHitRate },
    majorityClass: majorityClass(questions.map((q) => q.answer)),
    paired,
    ...(opts.compare !== undefined ? { compared: compareReports(opts.compare, methods, predictions) } : {}),
    lossCurves: Object.keys(lossCurves),
    rationaleLoss: rationale,
    seconds: {
      methods: methods.reduce((a, m) => a + m.seconds, 0),
      reranking: rerankingSeconds,
      rationaleLoss: rationaleSeconds,
    },
  };
  await writeReport(opts.outDir ?? path.join(runDir, 'eval'), report, predictions, { ...replace, lossCurves });
  passages.close();
  return report;
}

/** A report folder kard-eval wrote (its report.json), or a UsageError naming what is missing. */
function readComparedReport(dir: string): EvalReport {
  const file = path.join(path.resolve(dir), 'report.json');
  if (!fs.existsSync(file)) throw new UsageError(`--compare ${dir}: no report.json there (a kard-eval report folder)`);
  return readJsonFile<EvalReport>(file);
}

/** Each method evaluated here and in `dir`, paired question by question with that report's predictions. */
function compareReports(
  dir: string,
  methods: EvalReport['methods'],
  predictions: Record<string, Prediction[]>,
): NonNullable<EvalReport['compared']> {
  const other = readComparedReport(dir);
  const out: NonNullable<EvalReport['compared']>['methods'] = [];
  for (const m of methods) {
    const there = other.methods.find((o) => o.name === m.name);
    const file = path.join(path.resolve(dir), `predictions.${m.name}.jsonl`);
    if (!there || !fs.existsSync(file)) continue;
    const test = pairedTest(predictions[m.name], readJsonl<Prediction>(file));
    out.push({ name: m.name, accuracy: m.accuracy, otherAccuracy: there.accuracy, ...test });
  }
  return { report: path.resolve(dir), settings: other.settings, methods: out };
}
