// The student stage's training: @kard/student's Seq2SeqTrainer or CausalLmTrainer (length-bucketed batches, AdamW with linear
// warm-up/decay, clipping, eval loss, checkpoints that resume exactly) run for a fixed number of steps, resuming
// from the newest checkpoint in the stage's work folder when a killed run is started again.
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
    onStep: (r: StepRecord) =>
      opts.onStep?.({ step: r.step, steps: opts.steps, loss: r.loss, lr: r.lr, tokensPerSecond: r.tokensPerSecond }),
    onCheckpoint: opts.onCheckpoint,
  });
  const validation = opts.validation?.length ? opts.validation : undefined;
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
