// The student's trainer on @kard/nn's one training loop: length-bucketed batches, AdamW with a linear schedule,
// clipping, accumulation, eval loss, Hugging Face-layout checkpoints that resume exactly (after a run-fingerprint
// check), a progress bar and a JSON-lines log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, installFastSegmentSum, linearSchedule, optimizerStep, runTrainingLoop } from '@kard/nn';
import { Rng, createProgress, noProgress, type Progress, type RngState } from '@kard/core';
import type { LmBatch } from '../model';
import { fromPretrained, savePretrained, writePretrainedFiles, type StudentModel } from '../pretrained';
import { collateCausal, collateSeq2Seq, countTargetTokens, disposeBatch } from './collate';
import { lengthBucketedBatches, type TokenizedExample } from './examples';

export interface StudentTrainerOptions {
  /** Where checkpoints (`checkpoint-<step>/`), the final model and `log.jsonl` go. */
  outputDir: string;
  /** Default 3 (KARD). */
  epochs?: number;
  /**
   * Train exactly this many optimizer steps, as many epochs as that takes (the last one cut short); the
   * schedule spans them. Overrides `epochs`.
   */
  totalSteps?: number;
  /** Peak learning rate. Default 1e-4 (KARD). */
  lr?: number;
  /** Default 0. */
  warmupSteps?: number;
  /** AdamW decoupled weight decay (biases and norms exempt). Default 0, as HF's TrainingArguments. */
  weightDecay?: number;
  /** Examples per micro-batch. Default 8. */
  batchSize?: number;
  /** Micro-batches per optimizer step. Default 1. */
  gradientAccumulationSteps?: number;
  /** Clip the global gradient norm to this. Default 1.0 (HF). */
  maxGradNorm?: number;
  /** Save a checkpoint every N optimizer steps (0 = only at the end). Default 0. */
  saveSteps?: number;
  /** Evaluate every N optimizer steps (0 = at the end of each epoch). Default 0. */
  evalSteps?: number;
  /** Seeds shuffling and dropout. Default 42. */
  seed?: number;
  /**
   * Continue from a checkpoint folder written by this trainer, or 'latest': the newest `checkpoint-<step>/` in
   * `outputDir` if there is one (a killed run picks up where it stopped), else start fresh.
   */
  resumeFrom?: string;
  /** Keep only the newest N checkpoints in `outputDir` (older ones are deleted after each save). Default: all. */
  saveTotalLimit?: number;
  /** Where the trained model goes (HF layout), or false for nowhere. Default `<outputDir>/final`. */
  finalDir?: string | false;
  /** Stop after this many optimizer steps (the schedule still spans all epochs). */
  maxSteps?: number;
  /** Tokenizer folder copied into checkpoints and the final model. */
  tokenizerDir?: string;
  /** Show the progress bar even when stderr is not a TTY. Default: only on a TTY. */
  progress?: boolean;
  /** Called after every optimizer step (tests watch memory here). */
  onStep?: (record: StepRecord) => void;
  /** Called after a checkpoint is complete on disk. */
  onCheckpoint?: (step: number, dir: string) => void;
}

export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
}

export interface StudentTrainResult {
  /** The steps run in this call (after `resumedFromStep`). */
  steps: StepRecord[];
  evals: Array<{ step: number; evalLoss: number }>;
  /** The step the run continued from (0: a fresh start). */
  resumedFromStep: number;
  /** Optimizer steps of the whole schedule. */
  totalSteps: number;
}

type Collate = (examples: TokenizedExample[], pad: number) => LmBatch;

/** Where the trainer is in its data (saved in trainer_state.json's `extra`). */
interface EpochPosition {
  epoch: number;
  /** Micro-batches of this epoch already trained on. */
  batchInEpoch: number;
}

class Trainer {
  private readonly o: Required<
    Pick<
      StudentTrainerOptions,
      | 'epochs'
      | 'lr'
      | 'warmupSteps'
      | 'weightDecay'
      | 'batchSize'
      | 'gradientAccumulationSteps'
      | 'maxGradNorm'
      | 'saveSteps'
      | 'evalSteps'
      | 'seed'
      | 'progress'
    >
  > &
    StudentTrainerOptions;

  constructor(
    readonly model: StudentModel,
    opts: StudentTrainerOptions,
    private readonly collate: Collate,
  ) {
    this.o = {
      epochs: 3,
      lr: 1e-4,
      warmupSteps: 0,
      weightDecay: 0,
      batchSize: 8,
      gradientAccumulationSteps: 1,
      maxGradNorm: 1,
      saveSteps: 0,
      evalSteps: 0,
      seed: 42,
      progress: Boolean(process.stderr.isTTY),
      ...opts,
    };
  }

  /** Mean target-token NLL over `examples` (sum of token losses / tokens), no dropout. */
  evaluate(examples: TokenizedExample[]): number {
    let nll = 0;
    let tokens = 0;
    for (let i = 0; i < examples.length; i += this.o.batchSize) {
      const chunk = examples.slice(i, i + this.o.batchSize);
      const batch = this.collate(chunk, this.model.config.padTokenId);
      nll += tf.tidy(() => tf.sum(this.model.tokenLosses(batch)).dataSync()[0]);
      tokens += countTargetTokens(chunk);
      disposeBatch(batch);
    }
    return nll / Math.max(1, tokens);
  }

  async train(train: TokenizedExample[], evalSet?: TokenizedExample[]): Promise<StudentTrainResult> {
    if (train.length === 0) throw new Error('Trainer: no training examples');
    const o = this.o;
    // The gradient of every embedding look-up is an UnsortedSegmentSum over the vocabulary: make it O(N).
    installFastSegmentSum();
    const params = this.model.namedParameters();
    const optimizer = new AdamW(params, {
      lr: o.lr,
      weightDecay: o.weightDecay,
      decays: (n) => !/(bias|layer_norm|ln_\d|ln_f)/.test(n),
    });
    const perEpoch = Math.ceil(Math.ceil(train.length / o.batchSize) / o.gradientAccumulationSteps);
    const totalSteps = o.totalSteps ?? perEpoch * o.epochs;
    const schedule = linearSchedule({ lr: o.lr, warmupSteps: o.warmupSteps, totalSteps });
    const lengths = train.map((e) => e.inputIds.length + e.targetIds.length);

    // The epoch generator stays at the epoch's start until the epoch ends, so a checkpoint regenerates its batches.
    const epochRng = new Rng(o.seed);
    const dropoutRng = new Rng(o.seed + 1);
    let epochBatches: { epoch: number; batches: number[][]; end: RngState } | undefined;
    const batchesOf = (epoch: number) => {
      if (epochBatches?.epoch !== epoch) {
        const start = epochRng.getState();
        const batches = lengthBucketedBatches(lengths, o.batchSize, epochRng);
        epochBatches = { epoch, batches, end: epochRng.getState() };
        epochRng.setState(start);
      }
      return epochBatches;
    };
    const nextEpoch = (p: EpochPosition) => {
      epochRng.setState(batchesOf(p.epoch).end);
      p.epoch++;
      p.batchInEpoch = 0;
    };

    fs.mkdirSync(o.outputDir, { recursive: true });
    const log = fs.openSync(path.join(o.outputDir, 'log.jsonl'), 'a');
    let bar: Progress = noProgress;
    const result: StudentTrainResult = { steps: [], evals: [], resumedFromStep: 0, totalSteps };
    const runEval = (step: number, epoch: number): void => {
      if (!evalSet?.length) return;
      const evalLoss = this.evaluate(evalSet);
      result.evals.push({ step, evalLoss });
      fs.writeSync(log, JSON.stringify({ step, epoch, evalLoss }) + '\n');
    };
    const pad = this.model.config.padTokenId;
    // What a checkpoint must share with this run to be resumed by it (not where it saves, logs or stops).
    const fingerprint = {
      modelType: this.model.config.modelType,
      totalSteps,
      lr: o.lr,
      warmupSteps: o.warmupSteps,
      weightDecay: o.weightDecay,
      batchSize: o.batchSize,
      gradientAccumulationSteps: o.gradientAccumulationSteps,
      maxGradNorm: o.maxGradNorm,
      seed: o.seed,
      n: train.length,
    };

    try {
      await runTrainingLoop({
        optimizer,
        rngs: { epoch: epochRng, dropout: dropoutRng },
        start: { epoch: 0, batchInEpoch: 0 } as EpochPosition,
        fingerprint,
        stopAt: Math.min(totalSteps, o.maxSteps ?? Infinity),
        checkpoints: {
          layout: 'numbered',
          dir: o.outputDir,
          every: o.saveSteps,
          keepLast: o.saveTotalLimit,
          onSaved: o.onCheckpoint,
          writeWeights: (tmp) => writePretrainedFiles(this.model, tmp, { tokenizerDir: o.tokenizerDir }),
          readWeights: (dir) => {
            const loaded = fromPretrained(dir);
            for (const [n, v] of loaded.model.namedParameters()) params.get(n)!.assign(v);
            loaded.model.dispose();
          },
        },
        resumeFrom: o.resumeFrom,
        onStart: ({ step }) => {
          result.resumedFromStep = step;
          bar = createProgress({
            label: 'train',
            total: totalSteps,
            start: step,
            payload: { loss: '-', tps: '-' },
            show: o.progress,
            format: 'train {bar} {value}/{total} | loss {loss} | {tps} tok/s | ETA {eta_formatted}',
          });
        },
        step: ({ step, position: p }) => {
          const t0 = Date.now();
          // A checkpoint written at an epoch's last step by an older trainer still points into that epoch.
          if (p.batchInEpoch >= batchesOf(p.epoch).batches.length) nextEpoch(p);
          const micro = batchesOf(p.epoch)
            .batches.slice(p.batchInEpoch, p.batchInEpoch + o.gradientAccumulationSteps)
            .map((idx) => idx.map((i) => train[i]));
          const lr = schedule(step);
          const { loss, gradNorm } = optimizerStep(
            optimizer,
            micro.map((examples) => () => this.model.loss(this.collate(examples, pad), dropoutRng)),
            {
              lr,
              maxGradNorm: o.maxGradNorm,
            },
          );
          const tokens = micro.reduce((n, examples) => n + countTargetTokens(examples), 0);
          const record: StepRecord = {
            step: step + 1,
            epoch: p.epoch,
            loss,
            lr,
            gradNorm: gradNorm!,
            tokensPerSecond: tokens / Math.max(1e-3, (Date.now() - t0) / 1000),
          };
          p.batchInEpoch += micro.length;
          const epochEnded = p.batchInEpoch >= batchesOf(p.epoch).batches.length;
          if (epochEnded) nextEpoch(p);
          return { record, epochEnded };
        },
        lossOf: ({ record }) => record.loss,
        afterStep: ({ step, position: p }, { record, epochEnded }) => {
          result.steps.push(record);
          fs.writeSync(log, JSON.stringify(record) + '\n');
          bar.update(step, { loss: record.loss.toFixed(4), tps: record.tokensPerSecond.toFixed(0) });
          o.onStep?.(record);
          if (o.evalSteps > 0 && step % o.evalSteps === 0) runEval(step, record.epoch);
          if (epochEnded && o.evalSteps === 0) runEval(step, p.epoch);
        },
      });
      if (o.finalDir !== false)
        await savePretrained(this.model, o.finalDir ?? path.join(o.outputDir, 'final'), {
          tokenizerDir: o.tokenizerDir,
        });
    } finally {
      bar.stop();
      fs.closeSync(log);
      optimizer.dispose();
    }
    return result;
  }
}

/** Trains an encoder-decoder (T5) on input -> target pairs. */
export class Seq2SeqTrainer extends Trainer {
  constructor(model: StudentModel, opts: StudentTrainerOptions) {
    if (model.config.modelType !== 't5') throw new Error('Seq2SeqTrainer needs an encoder-decoder model (T5)');
    super(model, opts, collateSeq2Seq);
  }
}

/** Trains a decoder-only model (GPT-2) on prompt + target, the loss counting only target tokens. */
export class CausalLmTrainer extends Trainer {
  constructor(model: StudentModel, opts: StudentTrainerOptions) {
    if (model.config.modelType !== 'gpt2') throw new Error('CausalLmTrainer needs a decoder-only model (GPT-2)');
    super(model, opts, collateCausal);
  }
}

/** The trainer for the model's architecture: Seq2SeqTrainer for T5, CausalLmTrainer for GPT-2. */
export function createTrainer(model: StudentModel, opts: StudentTrainerOptions): Seq2SeqTrainer | CausalLmTrainer {
  return model.config.modelType === 't5' ? new Seq2SeqTrainer(model, opts) : new CausalLmTrainer(model, opts);
}
