// Where the reranker trainers checkpoint (nn's one training loop does the rest): one folder per run, replaced
// atomically, with the trainable weights in trainable.safetensors beside nn's optimizer.safetensors and
// trainer_state.json (step, position in the data, RNG, run fingerprint).
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type ArrayToWrite, type CheckpointPolicy } from '@kard/nn';

const WEIGHTS = 'trainable.safetensors';

/** Where a reranker trainer is in its data: the epoch, this epoch's question order and the position in it. */
export interface DataPosition {
  epoch: number;
  cursor: number;
  order: number[];
  totalSteps: number;
}

/** The policy of both reranker trainers: `dir` holds the run's checkpoint, saved every `every` steps and at the end. */
export function rerankerCheckpoints(
  dir: string,
  params: Map<string, tf.Variable>,
  every?: number,
  overwrite?: boolean,
): CheckpointPolicy {
  return {
    layout: 'folder',
    dir,
    every,
    overwrite,
    writeWeights: (tmp) => {
      const arrays = new Map<string, ArrayToWrite>();
      for (const [n, t] of params) arrays.set(n, { shape: t.shape, values: t.dataSync() as Float32Array });
      writeSafetensors(path.join(tmp, WEIGHTS), arrays);
    },
    readWeights: (from) => {
      const file = path.join(from, WEIGHTS);
      const w = readSafetensors(file).tensors;
      for (const [n, v] of params) {
        const arr = w.get(n);
        if (!arr || !tf.util.arraysEqual(arr.shape, v.shape))
          throw new Error(`${file}: checkpoint does not match the model at "${n}"`);
        tf.tidy(() => v.assign(tf.tensor(Float32Array.from(arr.values), v.shape)));
      }
    },
  };
}
