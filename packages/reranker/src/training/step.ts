import * as tf from '@tensorflow/tfjs-core';
import { clipByGlobalNorm, type AdamW } from '@kard/nn';

/**
 * One optimizer step: gradients of `lossFn` for `params` (keyed by the names the optimizer knows them by), clipped
 * to `maxGradNorm` when given, applied at `lr`. Returns the loss. Shared by both reranker trainers.
 */
export function optimizerStep(lossFn: () => tf.Scalar, params: Map<string, tf.Variable>, opt: AdamW, lr: number, maxGradNorm?: number): number {
  const byVarName = new Map([...params].map(([n, v]) => [v.name, n]));
  const { value, grads } = tf.variableGrads(lossFn, [...params.values()]);
  let named = new Map(Object.entries(grads).map(([vn, g]) => [byVarName.get(vn)!, g]));
  if (maxGradNorm !== undefined) named = clipByGlobalNorm(named, maxGradNorm).grads;
  opt.applyGradients(named, lr);
  const loss = value.dataSync()[0];
  value.dispose();
  for (const g of named.values()) g.dispose();
  return loss;
}
