// Parity with Python transformers' BertModel on a fixture made by tools/fixtures/make_bert_fixtures.py.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { loadBertEncoder } from '../src';

const DIR = path.join(__dirname, 'fixtures', 'hf');
const present = fs.existsSync(path.join(DIR, 'parity.json'));
if (!present) {
  // eslint-disable-next-line no-console
  console.warn(`skipping HF parity: ${DIR} is missing; make it with python3 tools/fixtures/make_bert_fixtures.py ${DIR}`);
}

(present ? describe : describe.skip)('BertEncoder vs transformers BertModel (fixture)', () => {
  beforeAll(() => initBackend());
  it('reproduces last_hidden_state for real tokens', () => {
    const fx = JSON.parse(fs.readFileSync(path.join(DIR, 'parity.json'), 'utf8'));
    const enc = loadBertEncoder(DIR);
    const [B, L] = [fx.input_ids.length, fx.input_ids[0].length];
    const got = enc.forward(tf.tensor2d(fx.input_ids, [B, L], 'int32'), tf.tensor2d(fx.attention_mask, [B, L], 'int32')).arraySync();
    for (let b = 0; b < B; b++)
      for (let t = 0; t < L; t++) {
        if (!fx.attention_mask[b][t]) continue;
        fx.last_hidden_state[b][t].forEach((v: number, i: number) => expect(got[b][t][i]).toBeCloseTo(v, 4));
      }
  });
});
