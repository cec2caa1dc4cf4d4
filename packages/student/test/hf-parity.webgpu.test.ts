// The Hugging Face parity of hf-parity.test.ts on the webgpu backend (SwiftShader in CI): logits and loss within
// 1e-3 of transformers, greedy and beam tokens identical, for a T5 v1.1 and a GPT-2 checkpoint. (T5 v1.0 and the
// other fixtures share these kernels; all of them pass with `KARD_BACKEND=webgpu npx jest ... test/hf-parity`,
// which takes minutes on a CPU-emulated GPU.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { fromPretrained, generate, type LmBatch } from '@kard/student';

const root = path.join(__dirname, 'fixtures', 'hf');

beforeAll(() => initBackend({ backend: 'webgpu' }));

describe.each(['t5-v1_1', 'gpt2'])('HF parity on webgpu: %s', (name) => {
  const ref = JSON.parse(fs.readFileSync(path.join(root, name, 'reference.json'), 'utf8'));
  const { model } = fromPretrained(path.join(root, name));
  const batch = (): LmBatch => ({
    inputIds: tf.tensor2d(ref.input_ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(ref.attention_mask, undefined, 'int32'),
    labels: tf.tensor2d(ref.labels, undefined, 'int32'),
  });

  test('logits and loss within 1e-3', () => {
    expect(tf.getBackend()).toBe('webgpu');
    const logits = tf.tidy(() => model.forward(batch()).arraySync()) as number[][][];
    let maxErr = 0;
    ref.logits.forEach((b: number[][], i: number) =>
      b.forEach((row, t) => row.forEach((x, v) => (maxErr = Math.max(maxErr, Math.abs(x - logits[i][t][v]))))),
    );
    expect(maxErr).toBeLessThan(1e-3);
    expect(Math.abs(tf.tidy(() => model.loss(batch()).dataSync()[0]) - ref.loss)).toBeLessThan(1e-3);
  });

  test('greedy and beam tokens identical (KV cache)', () => {
    const strip = (row: number[]) => {
      const e = row.indexOf(1);
      return e < 0 ? row : row.slice(0, e + 1);
    };
    const p = ref.prompts[0];
    const greedy = generate(model, [p], { maxNewTokens: ref.max_new_tokens });
    expect(greedy[0][0].tokens).toEqual(strip(ref.generate.greedy[0][0]));
    const beam = generate(model, [p], {
      maxNewTokens: ref.max_new_tokens,
      numBeams: 4,
      numReturnSequences: 2,
      lengthPenalty: 1,
      earlyStopping: false,
    });
    expect(beam[0].map((s) => s.tokens)).toEqual(ref.generate.beam4[0].map(strip));
  });
});
