// Parity with Python transformers on tiny random checkpoints made by tools/fixtures/make_hf_fixtures.py.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { expectGenerationParity, HF_FIXTURES, loadHfFixture, maxLogitError } from './hf-parity.test-helper';

const names = ['t5-v1_0', 't5-v1_1', 't5-v1_1-long', 't5-v1_0-sharded', 't5-v1_1-bf16', 'gpt2'].filter((n) =>
  fs.existsSync(path.join(HF_FIXTURES, n, 'reference.json')),
);

if (names.length === 0) {
  test.skip(
    'HF parity: no fixtures (run `python ' + 'tools/fixtures/make_hf_fixtures.py` where transformers is installed)',
    () => {},
  );
} else {
  beforeAll(() => initBackend());
  describe.each(names)('HF parity: %s', (name) => {
    const { ref, model, batch } = loadHfFixture(name);

    test('logits and loss within 1e-4', () => {
      expect(maxLogitError(model, ref, batch)).toBeLessThan(1e-4);
      expect(tf.tidy(() => model.loss(batch()).dataSync()[0])).toBeCloseTo(ref.loss, 4);
    });

    test('parameter gradients within 1e-4', () => {
      const params = model.namedParameters();
      const names = Object.keys(ref.grads);
      const vars = names.map((n) => params.get(n)!);
      const { grads } = tf.variableGrads(() => model.loss(batch()), vars);
      names.forEach((n, i) => {
        const g = grads[vars[i].name].dataSync();
        ref.grads[n].forEach((x, j) => expect(Math.abs(g[j] - x)).toBeLessThan(1e-4));
      });
      tf.dispose(grads);
    });

    test('greedy and beam outputs identical', () => {
      ref.prompts.forEach((_, i) => expectGenerationParity(model, ref, i));
    });
  });
}
