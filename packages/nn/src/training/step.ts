import * as tf from '@tensorflow/tfjs-core';
import { clipByGlobalNorm, GradientAccumulator, type AdamW } from '../optim';

export interface StepOptions {
  /** Learning rate of this step (from the schedule). */
  lr: number;
  /** Clip the global gradient norm to this; undefined: no clipping (and no norm computed). */
  maxGradNorm?: number;
}

export interface StepOutcome {
  /** Mean loss over the micro-batches. */
  loss: number;
  /** Global gradient norm before clipping, when `maxGradNorm` was given. */
  gradNorm?: number;
}

/**
 * One optimizer step, nanoGPT's inner loop: each micro-batch's loss is differentiated for the optimizer's parameters,
 * the gradients are averaged (weight 1/N each), clipped to `maxGradNorm` when given, and applied at `lr`.
 * Gradients are kept in the order tf.variableGrads returns them (variable creation order), which fixes the order the
 * global norm sums in, so a run's numbers do not depend on how a model lists its parameters.
 */
export function optimizerStep(optimizer: AdamW, microBatches: Array<() => tf.Scalar>, opts: StepOptions): StepOutcome {
  if (microBatches.length === 0) throw new RangeError('optimizerStep needs at least one micro-batch');
  const params = optimizer.params;
  const byVarName = new Map([...params].map(([n, v]) => [v.name, n]));
  const vars = [...params.values()];
  const accumulator = new GradientAccumulator();
  let loss = 0;
  try {
    for (const lossOf of microBatches) {
      const { value, grads } = tf.variableGrads(lossOf, vars);
      accumulator.add(
        new Map(Object.entries(grads).map(([vn, g]) => [byVarName.get(vn)!, g])),
        1 / microBatches.length,
      );
      loss += value.dataSync()[0] / microBatches.length;
      tf.dispose([value, ...Object.values(grads)]);
    }
    let grads = accumulator.take();
    let gradNorm: number | undefined;
    if (opts.maxGradNorm !== undefined) ({ grads, norm: gradNorm } = clipByGlobalNorm(grads, opts.maxGradNorm));
    optimizer.applyGradients(grads, opts.lr);
    tf.dispose([...grads.values()]);
    return { loss, gradNorm };
  } finally {
    accumulator.dispose();
  }
}
