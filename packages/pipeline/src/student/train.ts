// The student's training loop (nanoGPT-style: one readable loop; checkpoints hold model, optimizer and step,
// so a run killed at any point resumes from its latest checkpoint with the same batches it would have seen).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, clipByGlobalNorm, fusedSoftmaxCrossEntropy, linearSchedule, loadCheckpoint, Rng, saveCheckpoint, type Module } from '@kard/nn';
import { disposeBatch, padSeq2Seq, type EncodedPair, type Seq2SeqBatch } from './seq2seq-batch';

/** What the loop needs of a model: @kard/student's T5ForConditionalGeneration fits. */
export interface TrainableSeq2Seq extends Module {
  /** Teacher-forced logits [B, T, V]. */
  forward(batch: Seq2SeqBatch, rng?: Rng): tf.Tensor;
}

/**
 * Mean cross-entropy over labels != -100 through @kard/nn's fused softmax-CE kernel: tfjs's composite
 * logSumExp gradient broadcasts an Equal over [tokens, vocab], which costs ~20 s a step at a 32k vocabulary.
 */
export function seq2seqLoss(model: TrainableSeq2Seq, batch: Seq2SeqBatch, rng?: Rng): tf.Scalar {
  return tf.tidy(() => {
    const logits = model.forward(batch, rng);
    const v = logits.shape[logits.shape.length - 1];
    return fusedSoftmaxCrossEntropy(tf.reshape(logits, [-1, v]) as tf.Tensor2D, tf.reshape(batch.labels, [-1]) as tf.Tensor1D, -100);
  });
}

export interface StudentTrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
  warmupRatio: number;
  weightDecay: number;
  seed: number;
  padId: number;
  /** Resumable checkpoints go here (`step-000050/`); the latest is picked up on start. */
  checkpointDir: string;
  checkpointEvery: number;
  maxGradNorm?: number;
  onStep?: (info: { step: number; steps: number; loss: number; lr: number }) => void;
  /** Called after a checkpoint is written (tests use it to stop a run midway). */
  onCheckpoint?: (step: number, dir: string) => void;
}

export interface StudentTrainResult {
  steps: number;
  resumedFromStep: number;
  /** Mean training loss of the last min(50, steps) steps run in this process. */
  finalLoss: number;
  losses: number[];
}

const CKPT = /^step-(\d+)$/;

/** The newest complete checkpoint folder in `dir`, with its step. */
export function latestCheckpoint(dir: string): { dir: string; step: number } | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const steps = fs.readdirSync(dir).map((n) => CKPT.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => b - a);
  return steps.length ? { dir: path.join(dir, `step-${String(steps[0]).padStart(6, '0')}`), step: steps[0] } : undefined;
}

/** The examples of step `step`: epoch-wise seeded shuffles, so any step's batch is known without replaying. */
export function batchIndices(step: number, batchSize: number, n: number, seed: number): number[] {
  const out: number[] = [];
  let pos = step * batchSize;
  while (out.length < Math.min(batchSize, n)) {
    const epoch = Math.floor(pos / n);
    const order = new Rng(seed * 1000003 + epoch).shuffle(Array.from({ length: n }, (_, i) => i));
    out.push(order[pos % n]);
    pos++;
  }
  return out;
}

export async function trainStudent(model: TrainableSeq2Seq, examples: EncodedPair[], opts: StudentTrainOptions): Promise<StudentTrainResult> {
  if (examples.length === 0) throw new Error('trainStudent: no training examples');
  const params = model.namedParameters();
  const optimizer = new AdamW(params, { lr: opts.lr, weightDecay: opts.weightDecay, decays: (n) => !/layer_norm|bias/.test(n) });
  const schedule = linearSchedule({ lr: opts.lr, warmupSteps: Math.round(opts.warmupRatio * opts.steps), totalSteps: opts.steps });
  let start = 0;
  const latest = latestCheckpoint(opts.checkpointDir);
  if (latest) start = loadCheckpoint(latest.dir, { module: model, optimizer }).step;

  const vars = [...params.values()];
  const losses: number[] = [];
  for (let step = start; step < opts.steps; step++) {
    const batch = padSeq2Seq(batchIndices(step, opts.batchSize, examples.length, opts.seed).map((i) => examples[i]), opts.padId);
    const rng = new Rng(opts.seed + 7919 * (step + 1));
    const lr = schedule(step);
    const { value, grads } = tf.variableGrads(() => seq2seqLoss(model, batch, rng), vars);
    const byName = new Map<string, tf.Tensor>();
    for (const [name, v] of params) if (grads[v.name]) byName.set(name, grads[v.name]);
    const clipped = opts.maxGradNorm ? clipByGlobalNorm(byName, opts.maxGradNorm).grads : byName;
    optimizer.applyGradients(clipped, lr);
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    if (clipped !== byName) tf.dispose([...clipped.values()]);
    disposeBatch(batch);
    losses.push(loss);
    opts.onStep?.({ step: step + 1, steps: opts.steps, loss, lr });
    const done = step + 1;
    if (done % opts.checkpointEvery === 0 || done === opts.steps) {
      const dir = path.join(opts.checkpointDir, `step-${String(done).padStart(6, '0')}`);
      await saveCheckpoint(dir, { module: model, optimizer, state: { step: done, rng: {}, extra: { loss } } });
      for (const n of fs.readdirSync(opts.checkpointDir)) {
        if (CKPT.test(n) && n !== path.basename(dir)) fs.rmSync(path.join(opts.checkpointDir, n), { recursive: true, force: true });
      }
      opts.onCheckpoint?.(done, dir);
    }
  }
  const tail = losses.slice(-50);
  return { steps: opts.steps, resumedFromStep: start, finalLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN, losses };
}
