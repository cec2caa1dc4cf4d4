// Training checkpoints that resume exactly (nanoGPT-style), in @kard/nn's checkpoint layout: the trainable weights
// (trainable.safetensors), AdamW moments (optimizer.safetensors) and trainer_state.json with the loop state
// (step, epoch order, RNG), written together into a folder that is replaced atomically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { TRAINER_STATE_FILE, loadTrainingState, readSafetensors, saveCheckpoint, writeSafetensors, type AdamW, type ArrayToWrite } from '@kard/nn';
import { type Rng, type RngState } from '@kard/core';

export interface LoopState {
  /** Optimizer steps taken. */
  step: number;
  epoch: number;
  /** Position inside this epoch's order. */
  cursor: number;
  /** This epoch's question order. */
  order: number[];
  rng: RngState;
  totalSteps: number;
  /** Options the run started with, to refuse resuming a different run. */
  fingerprint: string;
}

const WEIGHTS = 'trainable.safetensors';

export async function saveTrainingCheckpoint(dir: string, params: Map<string, tf.Variable>, opt: AdamW, state: LoopState): Promise<void> {
  const { step, rng, ...extra } = state;
  await saveCheckpoint(dir, {
    writeWeights: (tmp) => {
      const arrays = new Map<string, ArrayToWrite>();
      for (const [n, t] of params) arrays.set(n, { shape: t.shape, values: t.dataSync() as Float32Array });
      writeSafetensors(path.join(tmp, WEIGHTS), arrays);
    },
    optimizer: opt,
    state: { step, rng: { loop: rng }, extra },
  });
}

export function hasTrainingCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, TRAINER_STATE_FILE));
}

/** Restores weights and optimizer in place and returns the loop state. */
export function loadTrainingCheckpoint(dir: string, params: Map<string, tf.Variable>, opt: AdamW): LoopState {
  const file = path.join(dir, WEIGHTS);
  const w = readSafetensors(file).tensors;
  for (const [n, v] of params) {
    const arr = w.get(n);
    if (!arr || !tf.util.arraysEqual(arr.shape, v.shape)) throw new Error(`${file}: checkpoint does not match the model at "${n}"`);
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(arr.values), v.shape)));
  }
  const s = loadTrainingState(dir, opt);
  const extra = s.extra as Omit<LoopState, 'step' | 'rng'> | undefined;
  if (!extra || !s.rng?.loop) throw new Error(`${path.join(dir, TRAINER_STATE_FILE)}: not a reranker training checkpoint`);
  return { ...extra, step: s.step, rng: s.rng.loop };
}

/**
 * Where a training loop starts: `fresh`, or the checkpoint in `dir` when it holds one (weights, optimizer moments and
 * `rng` restored in place). A checkpoint of another run (other fingerprint) is refused.
 */
export function resumeOrStart(dir: string | undefined, params: Map<string, tf.Variable>, opt: AdamW, rng: Rng, fresh: LoopState): LoopState {
  if (!dir || !hasTrainingCheckpoint(dir)) return fresh;
  const state = loadTrainingCheckpoint(dir, params, opt);
  if (state.fingerprint !== fresh.fingerprint) throw new Error(`${dir}: checkpoint comes from a run with other options or data`);
  rng.setState(state.rng);
  return state;
}
