// The student stage's training: @kard/student's Seq2SeqTrainer or CausalLmTrainer (length-bucketed batches, AdamW with linear
// warm-up/decay, clipping, eval loss, checkpoints that resume exactly) run for a fixed number of steps, resuming
// from the newest checkpoint in the stage's work folder when a killed run is started again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonl, writeFileAtomic } from '@kard/core';
import type { StepRecord, StudentModel, TokenizedExample } from '@kard/student';
import { createTrainer } from '@kard/student';

export interface StudentTrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
  warmupRatio: number;
  weightDecay: number;
  seed: number;
  /** Resumable checkpoints go here (`checkpoint-<step>/`, only the newest kept); the newest is picked up on start. */
  checkpointDir: string;
  checkpointEvery: number;
  maxGradNorm?: number;
  /** Tokenizer folder copied into checkpoints. */
  tokenizerDir?: string;
  /** Held-out pairs: their mean target-token loss is measured once, after the last step. */
  validation?: TokenizedExample[];
  onStep?: (info: { step: number; steps: number; loss: number; lr: number; tokensPerSecond: number }) => void;
  /** Called after a checkpoint is written (tests use it to stop a run midway). */
  onCheckpoint?: (step: number, dir: string) => void;
}

export interface StudentTrainResult {
  steps: number;
  resumedFromStep: number;
  /** Mean training loss of the last min(50, steps) steps run in this process. */
  finalLoss: number;
  losses: number[];
  /** Mean target-token loss on `validation` after training. */
  validationLoss?: number;
  /** Median target tokens per second of the steps run in this process. */
  tokensPerSecond: number;
}

export async function trainStudent(
  model: StudentModel,
  examples: TokenizedExample[],
  opts: StudentTrainOptions,
): Promise<StudentTrainResult> {
  if (examples.length === 0) throw new Error('trainStudent: no training examples');
  const validation = opts.validation?.length ? opts.validation : undefined;
  const every = curveEvery(opts.steps);
  const curveSet = validation?.slice(0, CURVE_EXAMPLES);
  const trainer = createTrainer(model, {
    outputDir: opts.checkpointDir,
    totalSteps: opts.steps,
    batchSize: opts.batchSize,
    lr: opts.lr,
    warmupSteps: Math.round(opts.warmupRatio * opts.steps),
    weightDecay: opts.weightDecay,
    maxGradNorm: opts.maxGradNorm ?? 1,
    saveSteps: opts.checkpointEvery,
    saveTotalLimit: 1,
    evalSteps: opts.steps, // one validation pass, at the end
    seed: opts.seed,
    resumeFrom: 'latest',
    finalDir: false, // the stage saves the student where the run folder wants it
    tokenizerDir: opts.tokenizerDir,
    progress: false, // the app draws the stage's bar from onStep
    onStep: (r: StepRecord) => {
      opts.onStep?.({ step: r.step, steps: opts.steps, loss: r.loss, lr: r.lr, tokensPerSecond: r.tokensPerSecond });
      // the loss curve's validation points: a pure forward pass between steps, so training is what it was without it
      if (curveSet && r.step % every === 0)
        fs.appendFileSync(
          path.join(opts.checkpointDir, CURVE_FILE),
          `${JSON.stringify({ step: r.step, validationLoss: trainer.evaluate(curveSet) })}\n`,
        );
    },
    onCheckpoint: opts.onCheckpoint,
  });
  const result = await trainer.train(examples, validation);
  let validationLoss = result.evals.at(-1)?.evalLoss;
  // Resumed from a checkpoint of the last step (a kill between that checkpoint and the stage's marker), the
  // trainer ran no step, so no validation pass either: run it on the restored weights.
  if (validationLoss === undefined && validation) validationLoss = trainer.evaluate(validation);
  const losses = result.steps.map((s) => s.loss);
  const tail = losses.slice(-50);
  const tps = result.steps.map((s) => s.tokensPerSecond).sort((a, b) => a - b);
  return {
    steps: result.totalSteps,
    resumedFromStep: result.resumedFromStep,
    finalLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN,
    losses,
    validationLoss,
    tokensPerSecond: tps.length ? tps[tps.length >> 1] : 0,
  };
}

/** Validation examples the loss curve's points are measured on (the final validationLoss uses them all). */
export const CURVE_EXAMPLES = 64;
const CURVE_FILE = 'validation-curve.jsonl';
/** The file a trained student's folder holds its loss curves in. */
export const LOSS_CURVE_FILE = 'loss-curve.json';

/**
 * Steps between the curve's validation points: the largest divisor of `steps` at most steps / 5 (so the last step is
 * one of about five points), or `steps` alone when that divisor would mean more than 50 points (a prime step count).
 */
export function curveEvery(steps: number): number {
  for (let d = Math.max(1, Math.floor(steps / 5)); d >= 1; d--) if (steps % d === 0) return steps / d > 50 ? steps : d;
  return steps;
}

export interface LossCurve {
  /** Training loss of every step (of a resumed run too: read from the trainer's log). */
  train: Array<{ step: number; loss: number }>;
  /** Mean target-token loss on the first CURVE_EXAMPLES validation examples, every curveEvery(steps) steps. */
  validation: Array<{ step: number; loss: number }>;
  validationExamples: number;
}

/**
 * The records of a JSONL log that carry `key`, the last of each step (a resumed run logs the steps after its
 * checkpoint again; the trainer's log also holds its evaluation records, under the same step numbers).
 */
function byStep(file: string, key: string): Array<{ step: number; loss: number }> {
  if (!fs.existsSync(file)) return [];
  const out = new Map<number, number>();
  for (const r of readJsonl<Record<string, unknown>>(file))
    if (typeof r[key] === 'number') out.set(r.step as number, r[key] as number);
  return [...out].sort(([a], [b]) => a - b).map(([step, loss]) => ({ step, loss }));
}

/** The loss curves of a training run from its checkpoint folder's logs, written into the trained student's folder. */
export function writeLossCurve(checkpointDir: string, studentDir: string, validationExamples: number): LossCurve {
  const train = byStep(path.join(checkpointDir, 'log.jsonl'), 'loss');
  const validation = byStep(path.join(checkpointDir, CURVE_FILE), 'validationLoss');
  const curve = { train, validation, validationExamples: Math.min(validationExamples, CURVE_EXAMPLES) };
  writeFileAtomic(path.join(studentDir, LOSS_CURVE_FILE), `${JSON.stringify(curve)}\n`);
  return curve;
}
