import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readJsonFile, writeDirAtomic, type RngState } from '@kard/core';
import type { Module } from '../module';
import type { AdamW } from '../optim';
import { readSafetensors, writeSafetensors, SafetensorsError, type ArrayToWrite } from '../safetensors';

export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const TRAINER_STATE_FILE = 'trainer_state.json';
/** What a checkpoint folder is, for writeDirAtomic's ownership check: one holding trainer_state.json. */
export const CHECKPOINT_OWNER = { kind: 'checkpoint', manifest: TRAINER_STATE_FILE } as const;

/** What a checkpoint holds besides the weights: enough to continue a run exactly. */
export interface TrainingState {
  /** Optimizer steps taken. */
  step: number;
  /** The generator(s) that drive shuffling and dropout, by name. */
  rng: Record<string, RngState>;
  /** Anything else the trainer wants back (epoch, batch position, losses...). */
  extra?: Record<string, unknown>;
}

/** Writes `optimizer.safetensors` (exp_avg.* / exp_avg_sq.*) and `trainer_state.json` into `dir`. */
export function saveTrainingState(dir: string, optimizer: AdamW, state: TrainingState): void {
  const tensors = new Map<string, ArrayToWrite>();
  const s = optimizer.getState();
  for (const [name, t] of s.expAvg)
    tensors.set(`exp_avg.${name}`, { shape: t.shape, values: t.dataSync() as Float32Array });
  for (const [name, t] of s.expAvgSq)
    tensors.set(`exp_avg_sq.${name}`, { shape: t.shape, values: t.dataSync() as Float32Array });
  writeSafetensors(path.join(dir, OPTIMIZER_FILE), tensors, { format: 'kard-adamw', step: String(s.step) });
  fs.writeFileSync(
    path.join(dir, TRAINER_STATE_FILE),
    JSON.stringify({ ...state, optimizer_step: s.step }, null, 2) + '\n',
  );
}

/** Restores the optimizer from `dir` and returns the saved training state. */
export function loadTrainingState(dir: string, optimizer: AdamW): TrainingState {
  const stateFile = path.join(dir, TRAINER_STATE_FILE);
  if (!fs.existsSync(stateFile)) throw new SafetensorsError('checkpoint has no trainer_state.json', stateFile);
  const state = readJsonFile<TrainingState & { optimizer_step: number }>(stateFile);
  const optFile = path.join(dir, OPTIMIZER_FILE);
  const { tensors } = readSafetensors(optFile);
  const expAvg = new Map<string, tf.Tensor>();
  const expAvgSq = new Map<string, tf.Tensor>();
  for (const [name, t] of tensors) {
    const [kind, ...rest] = name.split('.');
    const target = kind === 'exp_avg' ? expAvg : kind === 'exp_avg_sq' ? expAvgSq : undefined;
    if (!target) throw new SafetensorsError(`unexpected tensor "${name}" in optimizer state`, optFile);
    target.set(rest.join('.'), tf.tensor(t.values, t.shape, 'float32'));
  }
  try {
    optimizer.setState({ step: state.optimizer_step, expAvg, expAvgSq });
  } catch (err) {
    throw new SafetensorsError((err as Error).message, optFile);
  } finally {
    for (const t of [...expAvg.values(), ...expAvgSq.values()]) t.dispose();
  }
  return { step: state.step, rng: state.rng, extra: state.extra };
}

/**
 * Saves a resumable checkpoint atomically: `writeWeights(tmpDir)` writes the model (for example a
 * model's savePretrained, or `model.safetensors` from `module`), then optimizer and training state follow.
 */
export async function saveCheckpoint(
  dir: string,
  opts: {
    module?: Module;
    writeWeights?: (tmpDir: string) => void | Promise<void>;
    optimizer: AdamW;
    state: TrainingState;
    /** Replace whatever is at `dir`; by default only an empty folder or a checkpoint (trainer_state.json) is. */
    overwrite?: boolean;
  },
): Promise<void> {
  await writeDirAtomic(
    dir,
    async (tmp) => {
      if (opts.writeWeights) await opts.writeWeights(tmp);
      else if (opts.module) writeSafetensors(path.join(tmp, 'model.safetensors'), opts.module.stateDict());
      saveTrainingState(tmp, opts.optimizer, opts.state);
    },
    { ...CHECKPOINT_OWNER, overwrite: opts.overwrite },
  );
}

/** Loads a checkpoint written by `saveCheckpoint` with a `module`: weights, optimizer, state. */
export function loadCheckpoint(dir: string, opts: { module: Module; optimizer: AdamW }): TrainingState {
  const file = path.join(dir, 'model.safetensors');
  opts.module.loadStateDict(readSafetensors(file).tensors, { file, strict: true });
  return loadTrainingState(dir, opts.optimizer);
}
