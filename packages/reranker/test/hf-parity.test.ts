// Parity with Python transformers (5.17): BertModel's forward and backward on a fixture made by
// tools/fixtures/make_bert_fixtures.py, and the WordPiece tokenizer on the shipped questions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@kard/nn';
import { BertTokenizer, loadBertEncoder } from '../src';

const DIR = path.join(__dirname, 'fixtures', 'hf');
const present = fs.existsSync(path.join(DIR, 'parity.json'));
if (!present) {
  console.warn(
    `skipping HF parity: ${DIR} is missing; make it with python3 tools/fixtures/make_bert_fixtures.py ${DIR}`,
  );
}

beforeAll(() => initBackend());

(present ? describe : describe.skip)('BertEncoder vs transformers BertModel (fixture)', () => {
  const fx = present ? JSON.parse(fs.readFileSync(path.join(DIR, 'parity.json'), 'utf8')) : undefined;
  const [B, L] = present ? [fx.input_ids.length, fx.input_ids[0].length] : [0, 0];
  const inputs = () =>
    [tf.tensor2d(fx.input_ids, [B, L], 'int32'), tf.tensor2d(fx.attention_mask, [B, L], 'int32')] as const;

  it('reproduces last_hidden_state for real tokens', () => {
    const enc = loadBertEncoder(DIR);
    const got = enc.forward(...inputs()).arraySync();
    for (let b = 0; b < B; b++)
      for (let t = 0; t < L; t++) {
        if (!fx.attention_mask[b][t]) continue;
        fx.last_hidden_state[b][t].forEach((v: number, i: number) => expect(got[b][t][i]).toBeCloseTo(v, 4));
      }
    enc.dispose();
  });

  it('reproduces the loss Σ_real tokens ⟨h, w⟩ and its parameter gradients within 1e-4', () => {
    const enc = loadBertEncoder(DIR, { trainable: true });
    const H = enc.config.hidden_size;
    // w[b, t, i] = sin(1 + 1000 b + 100 t + i), zeroed at padding: the fixture's weights, rebuilt independently.
    const w = new Float32Array(B * L * H);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < L; t++)
        for (let i = 0; i < H; i++)
          w[(b * L + t) * H + i] = fx.attention_mask[b][t] ? Math.sin(1 + 1000 * b + 100 * t + i) : 0;
    const [ids, mask] = inputs();
    const weights = tf.tensor3d(w, [B, L, H]);
    const names = Object.keys(fx.grads);
    const vars = names.map((n) => enc.params.get(n)!);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(enc.forward(ids, mask), weights)) as tf.Scalar, vars);
    expect(Math.abs(value.dataSync()[0] - fx.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fx.loss)));
    for (const [n, v] of names.map((n, i) => [n, vars[i]] as const)) {
      const got = grads[v.name].dataSync();
      const want: number[] = fx.grads[n];
      let worst = 0;
      want.forEach((x, i) => (worst = Math.max(worst, Math.abs(got[i] - x))));
      expect({ name: n, worst: worst < 1e-4 ? 'ok' : worst }).toEqual({ name: n, worst: 'ok' });
    }
    enc.dispose();
  });
});

const TOKENIZER = path.join(__dirname, '../../../models/bert-uncased-tokenizer');
const TOKENS = path.join(__dirname, '../../student/test/fixtures/tokenizer/bert-uncased-tokenizer.json');
const tokensPresent = fs.existsSync(TOKENS) && fs.existsSync(TOKENIZER);

(tokensPresent ? describe : describe.skip)('BertTokenizer vs transformers BertTokenizer (shipped questions)', () => {
  const fx = tokensPresent ? JSON.parse(fs.readFileSync(TOKENS, 'utf8')) : undefined;
  let tok: BertTokenizer;
  beforeAll(async () => {
    tok = await BertTokenizer.fromPretrained(TOKENIZER);
  });

  it(`gives Python's ids ([CLS] … [SEP]) for every shipped question`, () => {
    const wrong = (fx.items as Array<{ id: string; text: string; ids: number[] }>)
      .filter((it) => JSON.stringify(tok.encode(it.text, 512)) !== JSON.stringify(it.ids))
      .map((it) => it.id);
    expect(fx.items.length).toBeGreaterThan(2000);
    expect(wrong).toEqual([]);
  });

  it('pads a batch as Python does (right padding with [PAD] = 0, mask 1 on real tokens)', () => {
    const {
      texts,
      input_ids: ids,
      attention_mask: mask,
    } = fx.batch as { texts: string[]; input_ids: number[][]; attention_mask: number[][] };
    const got = tok.encodeBatch(texts, 512);
    expect(tok.padId).toBe(fx.pad_token_id);
    expect([got.batch, got.length]).toEqual([ids.length, ids[0].length]);
    expect(Array.from(got.ids)).toEqual(ids.flat());
    expect(Array.from(got.mask)).toEqual(mask.flat());
  });
});
