// What the Hugging Face parity tests share (hf-parity.test.ts on the default backend, hf-parity.webgpu.test.ts on
// webgpu): a tiny checkpoint made by tools/fixtures/make_hf_fixtures.py with transformers' outputs for it, and the
// comparisons against those outputs. Each test file keeps its own tolerances.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fromPretrained, generate, type LmBatch } from '@kard/student';

export const HF_FIXTURES = path.join(__dirname, 'fixtures', 'hf');

/** reference.json: what transformers computed for the fixture's batch and prompts. */
export interface HfReference {
  input_ids: number[][];
  attention_mask: number[][];
  labels: number[][];
  logits: number[][][];
  loss: number;
  grads: Record<string, number[]>;
  prompts: number[][];
  max_new_tokens: number;
  generate: { greedy: number[][][]; beam4: number[][][] };
}

export type HfModel = ReturnType<typeof fromPretrained>['model'];

/** The fixture `name`: its reference, the model loaded from its folder, and its batch as tensors (new each call). */
export function loadHfFixture(name: string): { ref: HfReference; model: HfModel; batch: () => LmBatch } {
  const ref = JSON.parse(fs.readFileSync(path.join(HF_FIXTURES, name, 'reference.json'), 'utf8')) as HfReference;
  const { model } = fromPretrained(path.join(HF_FIXTURES, name));
  const batch = (): LmBatch => ({
    inputIds: tf.tensor2d(ref.input_ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(ref.attention_mask, undefined, 'int32'),
    labels: tf.tensor2d(ref.labels, undefined, 'int32'),
  });
  return { ref, model, batch };
}

/** Largest |logit - transformers' logit| of the batch's forward pass. */
export function maxLogitError(model: HfModel, ref: HfReference, batch: () => LmBatch): number {
  const logits = tf.tidy(() => model.forward(batch()).arraySync()) as number[][][];
  let maxErr = 0;
  ref.logits.forEach((b, i) =>
    b.forEach((row, t) => {
      // padded positions of the encoder side do not exist on the decoder side; compare every row HF returned
      row.forEach((x, v) => {
        maxErr = Math.max(maxErr, Math.abs(x - logits[i][t][v]));
      });
    }),
  );
  return maxErr;
}

/** Greedy and 4-beam generation (KV cache) from prompt i give transformers' tokens, up to and including EOS. */
export function expectGenerationParity(model: HfModel, ref: HfReference, i: number): void {
  const strip = (row: number[]) => {
    const e = row.indexOf(1);
    return e < 0 ? row : row.slice(0, e + 1);
  };
  const p = ref.prompts[i];
  const greedy = generate(model, [p], { maxNewTokens: ref.max_new_tokens });
  expect(greedy[0][0].tokens).toEqual(strip(ref.generate.greedy[i][0]));
  const beam = generate(model, [p], {
    maxNewTokens: ref.max_new_tokens,
    numBeams: 4,
    numReturnSequences: 2,
    lengthPenalty: 1,
    earlyStopping: false,
  });
  expect(beam[0].map((s) => s.tokens)).toEqual(ref.generate.beam4[i].map(strip));
}
