import * as tf from '@tensorflow/tfjs-core';
import { gelu, initBackend } from '@kard/nn';
import { parseBertConfig } from './config';
import { LoraAdapters, KARD_LORA } from './lora';
import { BertEncoder } from './model';

beforeAll(() => initBackend());

const config = parseBertConfig({
  vocab_size: 11,
  hidden_size: 4,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 6,
  max_position_embeddings: 8,
  layer_norm_eps: 1e-5,
});

/** A plain-loops float64 BERT forward, written from the paper and HF's modeling_bert, as the reference. */
function naiveBert(w: Record<string, { shape: number[]; v: number[] }>, ids: number[], mask: number[]): number[][] {
  const H = config.hidden_size;
  const nh = config.num_attention_heads;
  const hd = H / nh;
  const row = (name: string, i: number) => w[name].v.slice(i * w[name].shape[1], (i + 1) * w[name].shape[1]);
  const lin = (x: number[], name: string) => {
    const W = w[`${name}.weight`];
    const b = w[`${name}.bias`].v;
    return b.map((bo, o) => bo + x.reduce((acc, xi, i) => acc + xi * W.v[o * W.shape[1] + i], 0));
  };
  const ln = (x: number[], name: string) => {
    const mu = x.reduce((a, b) => a + b, 0) / x.length;
    const varr = x.reduce((a, b) => a + (b - mu) ** 2, 0) / x.length;
    return x.map(
      (xi, i) =>
        ((xi - mu) / Math.sqrt(varr + config.layer_norm_eps)) * w[`${name}.weight`].v[i] + w[`${name}.bias`].v[i],
    );
  };
  const erf = (x: number) => {
    // Abramowitz–Stegun 7.1.26 is too coarse; use the Maclaurin series (|x| is small here).
    let sum = 0;
    let term = x;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  let h = ids.map((id, t) => {
    const e = row('embeddings.word_embeddings.weight', id).map(
      (v, i) =>
        v + row('embeddings.position_embeddings.weight', t)[i] + row('embeddings.token_type_embeddings.weight', 0)[i],
    );
    return ln(e, 'embeddings.LayerNorm');
  });
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    const Q = h.map((x) => lin(x, `${p}.attention.self.query`));
    const K = h.map((x) => lin(x, `${p}.attention.self.key`));
    const V = h.map((x) => lin(x, `${p}.attention.self.value`));
    const ctx = h.map((_, t) => {
      const out = new Array(H).fill(0);
      for (let head = 0; head < nh; head++) {
        const s = K.map((k, u) =>
          mask[u]
            ? k.slice(head * hd, (head + 1) * hd).reduce((a, kv, c) => a + kv * Q[t][head * hd + c], 0) / Math.sqrt(hd)
            : -Infinity,
        );
        const m = Math.max(...s);
        const e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, b) => a + b, 0);
        e.forEach((pr, u) => {
          for (let c = 0; c < hd; c++) out[head * hd + c] += (pr / z) * V[u][head * hd + c];
        });
      }
      return out;
    });
    h = h.map((x, t) =>
      ln(
        lin(ctx[t], `${p}.attention.output.dense`).map((v, i) => v + x[i]),
        `${p}.attention.output.LayerNorm`,
      ),
    );
    h = h.map((x) => {
      const inter = lin(x, `${p}.intermediate.dense`).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
      return ln(
        lin(inter, `${p}.output.dense`).map((v, i) => v + x[i]),
        `${p}.output.LayerNorm`,
      );
    });
  }
  return h;
}

function weightsOf(enc: BertEncoder) {
  const out: Record<string, { shape: number[]; v: number[] }> = {};
  for (const [n, t] of enc.params) out[n] = { shape: t.shape, v: Array.from(t.dataSync()) };
  return out;
}

describe('BertEncoder', () => {
  it('gelu is the exact erf form', () => {
    const got = gelu(tf.tensor1d([-1, 0, 1, 2])).dataSync();
    // x·Φ(x) with Φ from tables: Φ(1) = 0.841344746, Φ(2) = 0.977249868.
    [-(1 - 0.841344746), 0, 0.841344746, 2 * 0.977249868].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
  });

  it('matches a plain-loops BERT forward, and padding does not change the real tokens', () => {
    const enc = BertEncoder.random({ ...config, initializer_range: 0.5 }, { seed: 3 });
    // Give LayerNorms and biases non-trivial values so they are exercised.
    for (const [n, v] of enc.params)
      if (!n.includes('embeddings.word') && v.rank === 1)
        v.assign(tf.randomNormal(v.shape, 0.5, 0.3, 'float32', n.length));
    const w = weightsOf(enc);
    const ids = [1, 5, 9, 2, 0];
    const mask = [1, 1, 1, 1, 0];
    const expected = naiveBert(w, ids, mask);
    const got = enc.forward(tf.tensor2d([ids], [1, 5], 'int32'), tf.tensor2d([mask], [1, 5], 'int32')).arraySync()[0];
    for (let t = 0; t < 4; t++) for (let i = 0; i < 4; i++) expect(got[t][i]).toBeCloseTo(expected[t][i], 4);
    const short = enc
      .forward(tf.tensor2d([ids.slice(0, 4)], [1, 4], 'int32'), tf.tensor2d([mask.slice(0, 4)], [1, 4], 'int32'))
      .arraySync()[0];
    for (let t = 0; t < 4; t++) for (let i = 0; i < 4; i++) expect(short[t][i]).toBeCloseTo(got[t][i], 4);
  });

  it('with LoRA B = 0 equals the base model, and otherwise equals the base with W + (α/r)·B·A merged in', () => {
    const enc = BertEncoder.random(config, { seed: 5, trainable: false });
    const ids = tf.tensor2d(
      [
        [1, 2, 3],
        [4, 5, 0],
      ],
      [2, 3],
      'int32',
    );
    const mask = tf.tensor2d(
      [
        [1, 1, 1],
        [1, 1, 0],
      ],
      [2, 3],
      'int32',
    );
    const base = enc.forward(ids, mask).arraySync();
    enc.lora = LoraAdapters.create({ ...KARD_LORA, r: 2 }, config.num_hidden_layers, config.hidden_size, 9);
    expect(enc.forward(ids, mask).arraySync()).toEqual(base);

    for (const b of enc.lora.b.values()) b.assign(tf.randomNormal(b.shape, 0, 1, 'float32', 4));
    const withLora = enc.forward(ids, mask).arraySync() as number[][][];
    const merged = BertEncoder.random(config, { seed: 5 });
    const s = enc.lora.scaling;
    expect(s).toBe(16); // alpha 32 / r 2
    for (const [name, a] of enc.lora.a) {
      const W = merged.params.get(`${name}.weight`)!;
      W.assign(tf.add(W, tf.mul(tf.matMul(enc.lora.b.get(name)!, a), s)));
    }
    const ref = merged.forward(ids, mask).arraySync() as number[][][];
    expect(ref).not.toEqual(base);
    ref.forEach((r, b) => r.forEach((t, i) => t.forEach((v, c) => expect(withLora[b][i][c]).toBeCloseTo(v, 4))));
    // Only the adapters train when the base is frozen.
    expect(enc.trainableVariables()).toHaveLength(2 * 2 * 2);
  });
});
