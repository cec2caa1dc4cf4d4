// A training loop to read top to bottom (after nanoGPT): batches, AdamW with a linear schedule, clipping,
// accumulation, eval loss, checkpoints that resume exactly, a progress bar and a JSON-lines log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  AdamW, GradientAccumulator, clipByGlobalNorm, installFastSegmentSum, linearSchedule, loadTrainingState, saveCheckpoint,
} from '@kard/nn';
import { Rng, createProgress, yieldToEventLoop, type RngState } from '@kard/core';
import type { LmBatch } from '../model';
import { fromPretrained, savePretrained, writePretrainedFiles, type StudentModel } from '../pretrained';
import { collateCausal, collateSeq2Seq, countTargetTokens, disposeBatch } from './collate';
import { lengthBucketedBatches, type TokenizedExample } from './examples';

export interface TrainerOptions {
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

export interface TrainResult {
  /** The steps run in this call (after `resumedFromStep`). */
  steps: StepRecord[];
  evals: Array<{ step: number; evalLoss: number }>;
  /** The step the run continued from (0: a fresh start). */
  resumedFromStep: number;
  /** Optimizer steps of the whole schedule. */
  totalSteps: number;
}

type Collate = (examples: TokenizedExample[], pad: number) => LmBatch;

const CHECKPOINT = /^checkpoint-(\d+)$/;

/** The `checkpoint-<step>/` folders in `dir`, newest first. */
function checkpointFolders(dir: string): Array<{ dir: string; step: number }> {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .map((n) => ({ n, m: CHECKPOINT.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ dir: path.join(dir, x.n), step: Number(x.m![1]) }))
    .sort((a, b) => b.step - a.step);
}

/** The newest `checkpoint-<step>/` folder in `dir` that is complete (has its trainer state), if any. */
export function latestCheckpoint(dir: string): { dir: string; step: number } | undefined {
  return checkpointFolders(dir).find((c) => fs.existsSync(path.join(c.dir, 'trainer_state.json')));
}

class Trainer {
  private readonly o: Required<Pick<TrainerOptions, 'epochs' | 'lr' | 'warmupSteps' | 'weightDecay' | 'batchSize' | 'gradientAccumulationSteps'
    | 'maxGradNorm' | 'saveSteps' | 'evalSteps' | 'seed' | 'progress'>> & TrainerOptions;

  constructor(readonly model: StudentModel, opts: TrainerOptions, private readonly collate: Collate) {
    this.o = {
      epochs: 3, lr: 1e-4, warmupSteps: 0, weightDecay: 0, batchSize: 8, gradientAccumulationSteps: 1, maxGradNorm: 1,
      saveSteps: 0, evalSteps: 0, seed: 42, progress: Boolean(process.stderr.isTTY), ...opts,
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

  async train(train: TokenizedExample[], evalSet?: TokenizedExample[]): Promise<TrainResult> {
    if (train.length === 0) throw new Error('Trainer: no training examples');
    const o = this.o;
    // The gradient of every embedding look-up is an UnsortedSegmentSum over the vocabulary: make it O(N).
    installFastSegmentSum();
    const params = this.model.namedParameters();
    const vars = [...params.values()];
    const names = [...params.keys()];
    const optimizer = new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay, decays: (n) => !/(bias|layer_norm|ln_\d|ln_f)/.test(n) });
    const perEpoch = Math.ceil(Math.ceil(train.length / o.batchSize) / o.gradientAccumulationSteps);
    const totalSteps = o.totalSteps ?? perEpoch * o.epochs;
    const epochs = o.totalSteps ? Math.ceil(o.totalSteps / perEpoch) : o.epochs;
    const schedule = linearSchedule({ lr: o.lr, warmupSteps: o.warmupSteps, totalSteps });
    const lengths = train.map((e) => e.inputIds.length + e.targetIds.length);

    let step = 0;
    let epoch = 0;
    let batchInEpoch = 0;
    let epochRng = new Rng(o.seed);
    const dropoutRng = new Rng(o.seed + 1);
    const resumeDir = o.resumeFrom === 'latest' ? latestCheckpoint(o.outputDir)?.dir : o.resumeFrom;
    if (resumeDir) {
      const loaded = fromPretrained(resumeDir);
      for (const [n, v] of loaded.model.namedParameters()) params.get(n)!.assign(v);
      loaded.model.dispose();
      const state = loadTrainingState(resumeDir, optimizer);
      step = state.step;
      epoch = state.extra!.epoch as number;
      batchInEpoch = state.extra!.batchInEpoch as number;
      epochRng = Rng.fromState(state.rng.epoch);
      dropoutRng.setState(state.rng.dropout);
    }

    fs.mkdirSync(o.outputDir, { recursive: true });
    const log = fs.openSync(path.join(o.outputDir, 'log.jsonl'), 'a');
    const bar = createProgress({
      label: 'train', total: totalSteps, start: step, payload: { loss: '-', tps: '-' }, show: o.progress,
      format: 'train {bar} {value}/{total} | loss {loss} | {tps} tok/s | ETA {eta_formatted}',
    });
    const result: TrainResult = { steps: [], evals: [], resumedFromStep: step, totalSteps };
    const stopAt = Math.min(totalSteps, o.maxSteps ?? Infinity);
    const accumulator = new GradientAccumulator();

    const checkpoint = async (epochStartState: RngState) => {
      const dir = path.join(o.outputDir, `checkpoint-${step}`);
      await saveCheckpoint(dir, {
        writeWeights: (tmp) => writePretrainedFiles(this.model, tmp, { tokenizerDir: o.tokenizerDir }),
        optimizer,
        state: { step, rng: { epoch: epochStartState, dropout: dropoutRng.getState() }, extra: { epoch, batchInEpoch } },
      });
      if (o.saveTotalLimit !== undefined) {
        for (const c of checkpointFolders(o.outputDir).slice(Math.max(1, o.saveTotalLimit))) fs.rmSync(c.dir, { recursive: true, force: true });
      }
      o.onCheckpoint?.(step, dir);
    };
    const runEval = (): void => {
      if (!evalSet?.length) return;
      const evalLoss = this.evaluate(evalSet);
      result.evals.push({ step, evalLoss });
      fs.writeSync(log, JSON.stringify({ step, epoch, evalLoss }) + '\n');
    };

    try {
      while (epoch < epochs && step < stopAt) {
        const epochStart = epochRng.getState();
        const batches = lengthBucketedBatches(lengths, o.batchSize, epochRng);
        const epochEnd = epochRng.getState();
        epochRng.setState(epochStart);
        while (batchInEpoch < batches.length && step < stopAt) {
          const t0 = Date.now();
          const micro = batches.slice(batchInEpoch, batchInEpoch + o.gradientAccumulationSteps);
          let lossSum = 0;
          let tokens = 0;
          for (const idx of micro) {
            const examples = idx.map((i) => train[i]);
            const batch = this.collate(examples, this.model.config.padTokenId);
            const { value, grads } = tf.variableGrads(() => this.model.loss(batch, dropoutRng), vars);
            accumulator.add(new Map(names.map((n, i) => [n, grads[vars[i].name]])), 1 / micro.length);
            lossSum += value.dataSync()[0] / micro.length;
            tokens += countTargetTokens(examples);
            tf.dispose([value, ...Object.values(grads)]);
            disposeBatch(batch);
          }
          const { grads, norm } = clipByGlobalNorm(accumulator.take(), o.maxGradNorm);
          const lr = schedule(step);
          optimizer.applyGradients(grads, lr);
          tf.dispose([...grads.values()]);
          step++;
          batchInEpoch += micro.length;
          const record: StepRecord = { step, epoch, loss: lossSum, lr, gradNorm: norm, tokensPerSecond: tokens / Math.max(1e-3, (Date.now() - t0) / 1000) };
          result.steps.push(record);
          fs.writeSync(log, JSON.stringify(record) + '\n');
          bar?.update(step, { loss: lossSum.toFixed(4), tps: record.tokensPerSecond.toFixed(0) });
          o.onStep?.(record);
          if (o.evalSteps > 0 && step % o.evalSteps === 0) runEval();
          if (o.saveSteps > 0 && step % o.saveSteps === 0) await checkpoint(epochStart);
          await yieldToEventLoop(); // a step is synchronous: let Ctrl-C / SIGTERM handlers run between steps
        }
        if (batchInEpoch >= batches.length) {
          epoch++;
          batchInEpoch = 0;
          epochRng.setState(epochEnd);
          if (o.evalSteps === 0) runEval();
        }
      }
      const lastCheckpoint = path.join(o.outputDir, `checkpoint-${step}`);
      if (!fs.existsSync(lastCheckpoint)) await checkpoint(epochRng.getState());
      if (o.finalDir !== false) await savePretrained(this.model, o.finalDir ?? path.join(o.outputDir, 'final'), { tokenizerDir: o.tokenizerDir });
    } finally {
      bar?.stop();
      fs.closeSync(log);
      accumulator.dispose();
      optimizer.dispose();
    }
    return result;
  }
}

/** Trains an encoder-decoder (T5) on input -> target pairs. */
export class Seq2SeqTrainer extends Trainer {
  constructor(model: StudentModel, opts: TrainerOptions) {
    if (model.config.modelType !== 't5') throw new Error('Seq2SeqTrainer needs an encoder-decoder model (T5)');
    super(model, opts, collateSeq2Seq);
  }
}

/** Trains a decoder-only model (GPT-2) on prompt + target, the loss counting only target tokens. */
export class CausalLmTrainer extends Trainer {
  constructor(model: StudentModel, opts: TrainerOptions) {
    if (model.config.modelType !== 'gpt2') throw new Error('CausalLmTrainer needs a decoder-only model (GPT-2)');
    super(model, opts, collateCausal);
  }
}
