// RerankerTrainer: KARD's reranker training loop, readable top to bottom.
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, linearSchedule, optimizerStep, runTrainingLoop } from '@kard/nn';
import { Rng, createProgress, noProgress, type Progress } from '@kard/core';
import type { ColbertModel } from '../colbert/model';
import type { BertTokenizer } from '../tokenizer';
import { temperaturesAt, type AnnealingSchedule, type Temperatures } from './annealing';
import { rerankerCheckpoints, type DataPosition } from './checkpoint';
import { isInformative, sampleCandidates, type Candidate, type RerankerExample } from './data';
import { kardCeLoss, kardKlLoss, type RerankerLoss } from './loss';

export interface RerankerTrainerOptions {
  /** Passes over the training questions. KARD: 3. */
  epochs: number;
  /** Questions per optimizer step. KARD: 16. */
  batchSize: number;
  /** Candidates sampled per question per step, half from each list. KARD: 8. */
  k: number;
  /** Peak AdamW learning rate. KARD: 1e-4. */
  lr: number;
  /** Fraction of steps of linear warm-up before linear decay to 0. KARD: 0.05. */
  warmupRatio: number;
  /** AdamW decoupled weight decay. KARD uses torch's default, 0.01. */
  weightDecay: number;
  /**
   * Objective. KARD: 'ce' (reranker/main.py's default --loss_type): cross-entropy against the candidate the rationale
   * scores highest; 'kl' matches the whole distribution softmax(BM25(rationale) / τ).
   */
  loss: RerankerLoss;
  /** Initial target temperature τ (kl only). KARD: 1. */
  tau: number;
  /** Initial model temperature τ_model. KARD: 100. */
  tauModel: number;
  /**
   * Temperature schedule of the kl loss. KARD: 'kard'. The ce loss keeps (τ, τ_model) fixed: the reference anneals
   * inside its kl branch only, so its ce default trains at τ_model = 100 throughout.
   */
  annealing: AnnealingSchedule;
  /** Clip the global gradient norm; KARD does not clip (undefined). */
  maxGradNorm?: number;
  /** Seeds question order, candidate sampling and dropout. KARD: 42. */
  seed: number;
  /** Folder for resumable checkpoints; resumes from it when it holds one. */
  checkpointDir?: string;
  /** Checkpoint every N steps (and at the end of each epoch). Default: only at epoch ends. */
  checkpointEvery?: number;
  /** Stop after this many steps (the schedule still spans all epochs): for smoke runs and resume tests. */
  maxSteps?: number;
  /** Progress bar on stderr: 'auto' shows it when stderr is a TTY. */
  progress: boolean | 'auto';
  /** Called after every step. */
  onStep?: (info: StepInfo) => void;
}

export const KARD_TRAINING: RerankerTrainerOptions = {
  epochs: 3,
  batchSize: 16,
  k: 8,
  lr: 1e-4,
  warmupRatio: 0.05,
  weightDecay: 0.01,
  loss: 'ce',
  tau: 1,
  tauModel: 100,
  annealing: 'kard',
  seed: 42,
  progress: 'auto',
};

export interface StepInfo extends Temperatures {
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
}

export interface RerankerTrainResult {
  steps: number;
  /** Training questions used, and those left out for having no teacher signal (all candidates score 0). */
  used: number;
  skippedUninformative: number;
  losses: number[];
  resumedFromStep: number;
}

function questionScores(cands: Candidate[]): number[] {
  return cands.map((c) => {
    if (c.questionScore === undefined)
      throw new RangeError(
        `candidate ${c.id} has no questionScore, which a hybrid reranker needs (see withQuestionScores)`,
      );
    return c.questionScore;
  });
}

export class RerankerTrainer {
  readonly options: RerankerTrainerOptions;
  private readonly examples: RerankerExample[];
  readonly skippedUninformative: number;

  constructor(
    readonly model: ColbertModel,
    readonly tokenizer: BertTokenizer,
    examples: RerankerExample[],
    options: Partial<RerankerTrainerOptions> = {},
  ) {
    this.options = { ...KARD_TRAINING, ...options };
    this.examples = examples.filter(isInformative);
    this.skippedUninformative = examples.length - this.examples.length;
    if (this.examples.length === 0)
      throw new RangeError('no training question has a candidate with a positive rationale score');
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.examples.length / this.options.batchSize);
  }

  get totalSteps(): number {
    return this.stepsPerEpoch * this.options.epochs;
  }

  /** What a checkpoint must share with this run to be resumed by it. */
  private fingerprint(): Record<string, unknown> {
    const { epochs, batchSize, k, lr, warmupRatio, weightDecay, tau, tauModel, annealing, seed, loss } = this.options;
    return {
      // a kl checkpoint (written before the option existed) fingerprints without it
      ...(loss === 'kl' ? {} : { loss }),
      epochs,
      batchSize,
      k,
      lr,
      warmupRatio,
      weightDecay,
      tau,
      tauModel,
      annealing,
      seed,
      n: this.examples.length,
    };
  }

  /** Loss of one batch at given temperatures (training mode: dropout on). */
  batchLoss(batch: RerankerExample[], temps: Temperatures, rng: Rng): tf.Scalar {
    const { k } = this.options;
    const o = this.model.options;
    const groups = batch.map((ex) => sampleCandidates(ex, k, rng));
    const queries = this.tokenizer.encodeBatch(
      batch.map((ex) => ex.question),
      o.queryMaxLength,
    );
    const passages = this.tokenizer.encodeBatch(
      groups.flat().map((c) => c.text),
      o.passageMaxLength,
    );
    const target = tf.tensor2d(groups.map((g) => g.map((c) => c.score)));
    const nextSeed = () => rng.nextU32();
    try {
      const scores = this.model.scoreGroups(
        queries,
        passages,
        k,
        { training: true, nextSeed },
        this.model.mix ? questionScores(groups.flat()) : undefined,
      );
      return this.options.loss === 'ce'
        ? kardCeLoss(scores, target, temps.tauModel)
        : kardKlLoss(scores, target, temps.tau, temps.tauModel);
    } finally {
      target.dispose();
    }
  }

  async train(): Promise<RerankerTrainResult> {
    const o = this.options;
    const params = this.model.trainableVariables();
    const opt = new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay });
    const total = this.totalSteps;
    const schedule = linearSchedule({ lr: o.lr, warmupSteps: Math.floor(o.warmupRatio * total), totalSteps: total });
    const rng = new Rng(o.seed);
    const n = this.examples.length;
    const start: DataPosition = { epoch: 0, cursor: 0, order: rng.shuffle([...Array(n).keys()]), totalSteps: total };
    const show = o.progress === 'auto' ? Boolean(process.stderr.isTTY) : o.progress;
    let bar: Progress = noProgress;
    const losses: number[] = [];
    try {
      const { state, resumedFromStep } = await runTrainingLoop({
        optimizer: opt,
        rngs: { loop: rng },
        start,
        fingerprint: this.fingerprint(),
        stopAt: Math.min(total, o.maxSteps ?? Infinity),
        checkpoints: o.checkpointDir ? rerankerCheckpoints(o.checkpointDir, params, o.checkpointEvery) : undefined,
        resumeFrom: o.checkpointDir ? 'latest' : undefined,
        onStart: ({ step }) => {
          bar = createProgress({
            label: 'reranker',
            total: total,
            start: step,
            payload: { loss: '-', tau: '-' },
            show,
            format: 'reranker {bar} {value}/{total} steps | loss {loss} | tau {tau} | {eta_formatted}',
          });
        },
        step: ({ step, position: p }) => {
          const batch = p.order.slice(p.cursor, p.cursor + o.batchSize).map((i) => this.examples[i]);
          const annealing = o.loss === 'kl' ? o.annealing : 'none';
          const temps = temperaturesAt(step, total, { tau: o.tau, tauModel: o.tauModel }, annealing);
          const lr = schedule(step);
          const { loss } = optimizerStep(opt, [() => this.batchLoss(batch, temps, rng)], {
            lr,
            maxGradNorm: o.maxGradNorm,
          });
          losses.push(loss);
          p.cursor += o.batchSize;
          if (p.cursor >= n) {
            p.epoch++;
            p.cursor = 0;
            p.order = rng.shuffle([...Array(n).keys()]);
          }
          return { loss, lr, temps };
        },
        afterStep: ({ step, position: p }, { loss, lr, temps }) => {
          o.onStep?.({ step, totalSteps: total, epoch: p.epoch, loss, lr, ...temps });
          bar.update(step, { loss: loss.toFixed(3), tau: temps.tau.toFixed(2) });
          return p.cursor === 0; // an epoch ended: checkpoint
        },
      });
      return { steps: state.step, used: n, skippedUninformative: this.skippedUninformative, losses, resumedFromStep };
    } finally {
      bar.stop();
      opt.dispose();
    }
  }
}
