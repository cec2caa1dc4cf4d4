// Training checkpoints that resume exactly (nanoGPT-style): trainable weights, AdamW moments, and loop state
// (step, epoch order, RNG) in one folder, replaced atomically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeDirAtomic, writeFileAtomic, writeSafetensors, type AdamW, type ArrayToWrite, type RngState } from '@kard/nn';

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

const STATE = 'trainer_state.json';

function arrays(vars: Map<string, tf.Tensor>): Map<string, ArrayToWrite> {
  const out = new Map<string, ArrayToWrite>();
  for (const [n, t] of vars) out.set(n, { shape: t.shape, values: t.dataSync() as Float32Array });
  return out;
}

export async function saveTrainingCheckpoint(dir: string, params: Map<string, tf.Variable>, opt: AdamW, state: LoopState): Promise<void> {
  const o = opt.getState();
  await writeDirAtomic(dir, (tmp) => {
    writeSafetensors(path.join(tmp, 'trainable.safetensors'), arrays(params));
    const moments = new Map<string, tf.Tensor>();
    for (const [n, t] of o.expAvg) moments.set(`exp_avg.${n}`, t);
    for (const [n, t] of o.expAvgSq) moments.set(`exp_avg_sq.${n}`, t);
    writeSafetensors(path.join(tmp, 'optimizer.safetensors'), arrays(moments), { format: 'pt', step: String(o.step) });
    writeFileAtomic(path.join(tmp, STATE), JSON.stringify(state) + '\n');
  });
}

export function hasTrainingCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, STATE));
}

/** Restores weights and optimizer in place and returns the loop state. */
export function loadTrainingCheckpoint(dir: string, params: Map<string, tf.Variable>, opt: AdamW): LoopState {
  const state = JSON.parse(fs.readFileSync(path.join(dir, STATE), 'utf8')) as LoopState;
  const file = path.join(dir, 'trainable.safetensors');
  const w = readSafetensors(file).tensors;
  for (const [n, v] of params) {
    const arr = w.get(n);
    if (!arr || !tf.util.arraysEqual(arr.shape, v.shape)) throw new Error(`${file}: checkpoint does not match the model at "${n}"`);
    tf.tidy(() => v.assign(tf.tensor(Float32Array.from(arr.values), v.shape)));
  }
  const om = readSafetensors(path.join(dir, 'optimizer.safetensors'));
  const expAvg = new Map<string, tf.Tensor>();
  const expAvgSq = new Map<string, tf.Tensor>();
  for (const [n, arr] of om.tensors) {
    const t = tf.tensor(Float32Array.from(arr.values), arr.shape);
    if (n.startsWith('exp_avg_sq.')) expAvgSq.set(n.slice(11), t);
    else expAvg.set(n.slice(8), t);
  }
  opt.setState({ step: Number(om.metadata.step), expAvg, expAvgSq });
  for (const t of [...expAvg.values(), ...expAvgSq.values()]) t.dispose();
  return state;
}
