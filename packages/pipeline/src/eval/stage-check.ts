// Before kard-eval reads a run folder: every stage it is about to read must have been made under the config it
// is given (its marker's hash equals the one this config gives) and still hold the outputs it recorded. Otherwise
// a folder trained partly under other settings (another --student-steps, say) would be evaluated and reported
// as if it were this config's.
import * as fs from 'node:fs';
import { KardError } from '@kard/core';
import type { EvalMethod, KardConfig } from '../config/schema';
import { canonicalJson } from '../run/hash';
import type { RunFolder } from '../run/run-folder';
import { StagePlan, type PlannedStage } from '../stages/stage-plan';
import { STUDENT_OF } from './evaluate';

export interface StaleStage {
  stage: string;
  reason: string;
}

/** Stages kard-eval would read that this config did not make (or whose outputs changed since). */
export class StaleStagesError extends KardError {
  constructor(
    readonly runDir: string,
    readonly stale: StaleStage[],
  ) {
    super(
      `run folder ${runDir} does not hold what this config trains; stale stages:\n` +
        stale.map((s) => `  ${s.stage}: ${s.reason}\n`).join('') +
        'Run kard-train with this config (the same --config and flags) to bring them up to date, then kard-eval again.',
    );
    this.name = 'StaleStagesError';
  }
}

/** The stages the evaluation of `cfg.eval.methods` and its diagnostics read in `run` (diagnostics: those present). */
async function stagesRead(cfg: KardConfig, run: RunFolder, plan: StagePlan): Promise<PlannedStage[]> {
  const methods = cfg.eval.methods as EvalMethod[];
  const has = (p: string) => fs.existsSync(run.path(p));
  const out: Array<Promise<PlannedStage>> = [];
  // a student trained elsewhere (eval.studentDir) has no stage here to check
  if (!cfg.eval.studentDir) for (const m of methods) out.push(plan.student(STUDENT_OF[m]));
  if (methods.some((m) => STUDENT_OF[m] === 'kard')) out.push(plan.index());
  if (methods.includes('kard-reranker')) out.push(plan.reranker());
  // diagnostics: reranker vs BM25 on the reranker's validation data; rationale loss of the kard and rd students
  if (has('data/kard/reranker.validation.jsonl') && has('reranker'))
    out.push(plan.prepare('kard'), plan.reranker(), plan.index());
  if (has('data/kard/validation.jsonl') && has('data/rd/validation.jsonl')) {
    out.push(plan.prepare('kard'), plan.prepare('rd'));
    if (has('student/kard')) out.push(plan.student('kard'));
    if (has('student/rd')) out.push(plan.student('rd'));
  }
  const unique = new Map((await Promise.all(out)).map((p) => [p.stage, p]));
  return [...unique.values()];
}

/** The stages of `run` that kard-eval would read under `cfg` but that `cfg` did not make, with why. */
export async function staleStages(plan: StagePlan, run: RunFolder): Promise<StaleStage[]> {
  const cfg = plan.cfg;
  const stale: StaleStage[] = [];
  for (const p of await stagesRead(cfg, run, plan)) {
    const marker = run.marker(p.stage);
    const exists = p.outputs.every((o) => fs.existsSync(run.path(o)));
    if (!marker)
      stale.push({
        stage: p.stage,
        reason: exists ? 'did not finish (no stage marker)' : `not trained (no ${p.outputs.join(', ')})`,
      });
    else if (marker.inputsHash !== p.hash)
      stale.push({
        stage: p.stage,
        reason: `made under another config (${inputDifferences(marker.inputs, p.inputs)})`,
      });
    else {
      const changed = run.outputsChanged(marker, p.outputs);
      if (changed) stale.push({ stage: p.stage, reason: changed });
    }
  }
  return stale;
}

/** The first few inputs that differ, as `key: made with X, this config Y` (a key holding a hash: `key differs`). */
function inputDifferences(made: unknown, now: unknown): string {
  const out: string[] = [];
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  const walk = (a: unknown, b: unknown, key: string) => {
    if (canonicalJson(a) === canonicalJson(b)) return;
    const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObj(a) && isObj(b)) {
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const k of [...keys].sort())
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], key ? `${key}.${k}` : k);
    } else if (typeof a === 'string' && typeof b === 'string' && /^[0-9a-f]{64}$/.test(a) && /^[0-9a-f]{64}$/.test(b))
      out.push(`${key} differs`); // a file's or an upstream stage's hash
    else out.push(`${key}: made with ${show(a)}, this config ${show(b)}`);
  };
  walk(made, now, '');
  return out.length > 3 ? `${out.slice(0, 3).join('; ')}; ...` : out.join('; ') || 'its inputs differ';
}

/** Throws `StaleStagesError` unless every stage the evaluation reads was made under `cfg` and is intact. */
export async function assertStagesCurrent(plan: StagePlan, run: RunFolder): Promise<void> {
  const stale = await staleStages(plan, run);
  if (stale.length) throw new StaleStagesError(run.dir, stale);
}
