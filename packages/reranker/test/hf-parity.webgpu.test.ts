// The BERT parity of hf-parity.test.ts on the webgpu backend (SwiftShader in CI): BertModel's last_hidden_state
// from Python transformers, reproduced within 1e-3 (the webgpu tolerance; the CPU routes hold 1e-4).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { loadBertEncoder } from '../src';

const DIR = path.join(__dirname, 'fixtures', 'hf');

beforeAll(() => initBackend({ backend: 'webgpu' }));

test('BertEncoder on webgpu reproduces transformers last_hidden_state within 1e-3', () => {
  expect(tf.getBackend()).toBe('webgpu');
  const fx = JSON.parse(fs.readFileSync(path.join(DIR, 'parity.json'), 'utf8'));
  const [B, L] = [fx.input_ids.length, fx.input_ids[0].length];
  const enc = loadBertEncoder(DIR);
  const got = tf.tidy(() =>
    enc.forward(tf.tensor2d(fx.input_ids, [B, L], 'int32'), tf.tensor2d(fx.attention_mask, [B, L], 'int32')),
  );
  const out = got.arraySync() as number[][][];
  got.dispose();
  let worst = 0;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < L; t++) {
      if (!fx.attention_mask[b][t]) continue;
      fx.last_hidden_state[b][t].forEach(
        (v: number, i: number) => (worst = Math.max(worst, Math.abs(out[b][t][i] - v))),
      );
    }
  expect(worst).toBeLessThan(1e-3);
  enc.dispose();
});
