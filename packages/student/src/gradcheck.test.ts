// Analytic gradients (tfjs autodiff through our layers) against central finite differences of the loss.
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { Rng } from '@kard/core';
import { createModel, type StudentModel } from './pretrained';
import { batchOf, tinyGpt2Config, tinyT5Config } from './testing';
import type { LmBatch } from './model';

beforeAll(() => initBackend());

/** The spacing of float32 numbers around x (one unit in the last place). */
const ulp32 = (x: number) => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);

/**
 * How far a float32 loss may be from the exact one, in ulp of the loss. Each loss is a float32 forward pass ending
 * in a mean of per-token cross-entropies. Measured over every entry checked below, the difference of the two losses
 * is off from analytic * 2 eps by at most 0.9 ulp on tfjs's cpu backend and 2.9 ulp on wasm (rounding the two
 * results alone allows 1); 2 ulp per loss allows 4.
 */
const LOSS_ULPS = 2;

function gradCheck(model: StudentModel, batch: LmBatch, names: string[], picks = 3): void {
  const params = model.namedParameters();
  const vars = names.map((n) => params.get(n)!);
  const { grads } = tf.variableGrads(() => model.loss(batch), vars);
  const rng = new Rng(11);
  const lossAt = () => tf.tidy(() => model.loss(batch).dataSync()[0]);
  for (const [i, v] of vars.entries()) {
    const g = grads[v.name].dataSync();
    const values = v.dataSync().slice() as Float32Array;
    // the largest-gradient entry plus random ones, so a wrong sign or scale cannot hide in tiny gradients
    const idx = [Array.from(g).reduce((best, x, j) => (Math.abs(x) > Math.abs(g[best]) ? j : best), 0)];
    while (idx.length < picks) idx.push(rng.int(values.length));
    for (const j of idx) {
      const eps = 1e-3 * Math.max(1, Math.abs(values[j]));
      const at = (delta: number) => {
        const copy = values.slice();
        copy[j] += delta;
        v.assign(tf.tensor(copy, v.shape));
        return lossAt();
      };
      const plus = at(eps);
      const minus = at(-eps);
      const numeric = (plus - minus) / (2 * eps);
      v.assign(tf.tensor(values, v.shape));
      const analytic = g[j];
      // 2% relative error for the central difference's truncation, plus the float32 resolution of the loss: each
      // of the two losses may be off by LOSS_ULPS ulp, so their difference by twice that, divided by 2 eps.
      const resolution = (2 * LOSS_ULPS * ulp32(Math.max(Math.abs(plus), Math.abs(minus)))) / (2 * eps);
      if (Math.abs(analytic - numeric) > 2e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + resolution) {
        throw new Error(
          `${names[i]}[${j}]: analytic ${analytic}, numeric ${numeric} (float32 resolution ${resolution})`,
        );
      }
    }
  }
  tf.dispose(grads);
}

// Two rows with encoder padding and -100 in the labels.
const t5Batch = () =>
  batchOf(
    [
      [5, 6, 7, 1],
      [8, 9, 1, 0],
    ],
    [
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ],
    [
      [3, 4, 1],
      [10, 1, -100],
    ],
  );

describe('finite-difference gradient checks', () => {
  test('T5 v1.0 (ReLU, tied, scaled lm_head)', () => {
    const m = createModel(tinyT5Config('v1.0', { initializerFactor: 1 }), 1);
    gradCheck(m, t5Batch(), [
      'shared.weight',
      'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
      'encoder.block.1.layer.0.SelfAttention.q.weight',
      'encoder.block.0.layer.1.DenseReluDense.wi.weight',
      'decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
      'decoder.block.1.layer.1.EncDecAttention.v.weight',
      'decoder.block.0.layer.2.layer_norm.weight',
      'decoder.final_layer_norm.weight',
    ]);
  });

  test('T5 v1.1 (gated-GELU, untied lm_head)', () => {
    const m = createModel(tinyT5Config('v1.1', { initializerFactor: 1 }), 2);
    gradCheck(m, t5Batch(), [
      'lm_head.weight',
      'shared.weight',
      'encoder.block.1.layer.1.DenseReluDense.wi_0.weight',
      'encoder.block.1.layer.1.DenseReluDense.wi_1.weight',
      'decoder.block.1.layer.2.DenseReluDense.wo.weight',
      'decoder.block.1.layer.0.SelfAttention.k.weight',
      'encoder.final_layer_norm.weight',
    ]);
  });

  test('GPT-2 (Conv1D, LayerNorm with bias, learned positions, tied head)', () => {
    const m = createModel(tinyGpt2Config({ initializerRange: 0.3 }), 3);
    const batch = batchOf(
      [
        [5, 6, 7, 8, 1],
        [9, 4, 1, 0, 0],
      ],
      [
        [1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0],
      ],
      [
        [-100, -100, 7, 8, 1],
        [-100, 4, 1, -100, -100],
      ],
    );
    gradCheck(m, batch, [
      'transformer.wte.weight',
      'transformer.wpe.weight',
      'transformer.h.0.attn.c_attn.weight',
      'transformer.h.0.attn.c_attn.bias',
      'transformer.h.1.mlp.c_fc.weight',
      'transformer.h.1.mlp.c_proj.bias',
      'transformer.h.0.ln_1.weight',
      'transformer.ln_f.bias',
    ]);
  });
});
