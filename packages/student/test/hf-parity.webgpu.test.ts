// The Hugging Face parity of hf-parity.test.ts on the webgpu backend (SwiftShader in CI): logits and loss within
// 1e-3 of transformers, greedy and beam tokens identical, for T5 v1.0, T5 v1.1 and GPT-2 checkpoints. (The other
// fixtures share these kernels; all of them pass with `KARD_BACKEND=webgpu npx jest ... test/hf-parity`.)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { expectGenerationParity, loadHfFixture, maxLogitError } from './hf-parity.test-helper';

beforeAll(() => initBackend({ backend: 'webgpu' }));

describe.each(['t5-v1_0', 't5-v1_1', 'gpt2'])('HF parity on webgpu: %s', (name) => {
  const { ref, model, batch } = loadHfFixture(name);

  test('logits and loss within 1e-3', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(maxLogitError(model, ref, batch)).toBeLessThan(1e-3);
    expect(Math.abs(tf.tidy(() => model.loss(batch()).dataSync()[0]) - ref.loss)).toBeLessThan(1e-3);
  });

  test('greedy and beam tokens identical (KV cache)', () => {
    expectGenerationParity(model, ref, 0);
  });
});
