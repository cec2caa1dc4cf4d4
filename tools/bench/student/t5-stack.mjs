// A T5-shaped encoder-decoder built from plain tfjs ops, used by the benchmark until @kard/student's model is
// available: RMS norms, no biases, relative position bias (a gather), ReLU feed-forward, tied embeddings,
// weights stored [out, in] as Hugging Face does (so every projection is matMul(x, W, false, true)).
import * as tf from '@tensorflow/tfjs-core';

export const T5_SMALL = { dModel: 512, dFf: 2048, heads: 8, layers: 6, vocab: 32128, buckets: 32 };

export function createT5Stack(cfg, seed = 1) {
  let s = seed;
  const vars = new Map();
  const w = (name, shape, std = 0.05) => {
    const v = tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, 'float32', s++), true, name));
    vars.set(name, v);
    return v;
  };
  const ones = (name, n) => { const v = tf.tidy(() => tf.variable(tf.ones([n]), true, name)); vars.set(name, v); return v; };
  const { dModel: d, dFf, layers, vocab, heads, buckets } = cfg;
  const attn = (p) => ({ q: w(`${p}.q`, [d, d]), k: w(`${p}.k`, [d, d]), v: w(`${p}.v`, [d, d]), o: w(`${p}.o`, [d, d]) });
  const ff = (p) => ({ wi: w(`${p}.wi`, [dFf, d]), wo: w(`${p}.wo`, [d, dFf]) });
  const model = {
    cfg, vars,
    shared: w('shared', [vocab, d], 1),
    encBias: w('encoder.relative_attention_bias', [buckets, heads]),
    decBias: w('decoder.relative_attention_bias', [buckets, heads]),
    enc: Array.from({ length: layers }, (_, i) => ({
      ln1: ones(`encoder.${i}.ln1`, d), sa: attn(`encoder.${i}.sa`), ln2: ones(`encoder.${i}.ln2`, d), ff: ff(`encoder.${i}.ff`),
    })),
    dec: Array.from({ length: layers }, (_, i) => ({
      ln1: ones(`decoder.${i}.ln1`, d), sa: attn(`decoder.${i}.sa`), ln2: ones(`decoder.${i}.ln2`, d),
      ca: attn(`decoder.${i}.ca`), ln3: ones(`decoder.${i}.ln3`, d), ff: ff(`decoder.${i}.ff`),
    })),
    encNorm: ones('encoder.final_layer_norm', d),
    decNorm: ones('decoder.final_layer_norm', d),
  };
  return model;
}

const linear = (x, W) => tf.matMul(x, W, false, true);
const rmsNorm = (x, g) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), g);

/** [H, Tq, Tk] bias from bucketed relative positions (a simplified T5 bucketing: |i - j| clipped). */
function positionBias(table, tq, tk, offset, heads) {
  const ids = new Int32Array(tq * tk);
  for (let i = 0; i < tq; i++) for (let j = 0; j < tk; j++) ids[i * tk + j] = Math.min(Math.abs(i + offset - j), table.shape[0] - 1);
  const b = tf.gather(table, tf.tensor1d(ids, 'int32'));
  return tf.reshape(tf.transpose(tf.reshape(b, [tq, tk, heads]), [2, 0, 1]), [1, heads, tq, tk]);
}

const splitHeads = (x, batch, t, heads) => tf.transpose(tf.reshape(x, [batch, t, heads, -1]), [0, 2, 1, 3]);
const mergeHeads = (x, batch, t) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch * t, -1]);

function attention(p, xq, xkv, batch, tq, tk, heads, bias, cache) {
  const q = splitHeads(linear(xq, p.q), batch, tq, heads);
  let k, v;
  if (cache?.k) {
    ({ k, v } = cache); // cross-attention: encoder keys/values computed once
  } else if (cache?.append) {
    k = tf.concat([cache.append.k, splitHeads(linear(xkv, p.k), batch, tq, heads)], 2);
    v = tf.concat([cache.append.v, splitHeads(linear(xkv, p.v), batch, tq, heads)], 2);
  } else {
    k = splitHeads(linear(xkv, p.k), batch, tk, heads);
    v = splitHeads(linear(xkv, p.v), batch, tk, heads);
  }
  let scores = tf.matMul(q, k, false, true);
  if (bias) scores = tf.add(scores, bias);
  const out = mergeHeads(tf.matMul(tf.softmax(scores), v), batch, tq);
  return { out: linear(out, p.o), k, v };
}

const feedForward = (p, x) => linear(tf.relu(linear(x, p.wi)), p.wo);

export function encode(m, ids, batch, t) {
  const { heads } = m.cfg;
  let h = tf.gather(m.shared, ids);
  const bias = positionBias(m.encBias, t, t, 0, heads);
  for (const l of m.enc) {
    h = tf.add(h, attention(l.sa, rmsNorm(h, l.ln1), rmsNorm(h, l.ln1), batch, t, t, heads, bias).out);
    h = tf.add(h, feedForward(l.ff, rmsNorm(h, l.ln2)));
  }
  return rmsNorm(h, m.encNorm);
}

function causalMask(t) {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
  return tf.tensor(m, [1, 1, t, t]);
}

const lmHead = (m, h) => tf.matMul(tf.mul(h, m.cfg.dModel ** -0.5), m.shared, false, true);

/** Teacher-forced logits [batch·tDec, vocab]. */
export function forward(m, srcIds, decIds, batch, tSrc, tDec) {
  const { heads } = m.cfg;
  const enc = encode(m, srcIds, batch, tSrc);
  let h = tf.gather(m.shared, decIds);
  const bias = tf.add(positionBias(m.decBias, tDec, tDec, 0, heads), causalMask(tDec));
  for (const l of m.dec) {
    const x = rmsNorm(h, l.ln1);
    h = tf.add(h, attention(l.sa, x, x, batch, tDec, tDec, heads, bias).out);
    h = tf.add(h, attention(l.ca, rmsNorm(h, l.ln2), enc, batch, tDec, tSrc, heads, null).out);
    h = tf.add(h, feedForward(l.ff, rmsNorm(h, l.ln3)));
  }
  return lmHead(m, rmsNorm(h, m.decNorm));
}

/** Greedy decoding with a key/value cache: encoder once, one decoder position per step. Returns token ids. */
export function greedyGenerate(m, srcIds, batch, tSrc, steps) {
  const { heads } = m.cfg;
  const enc = tf.keep(encode(m, srcIds, batch, tSrc));
  const cross = m.dec.map((l) => tf.tidy(() => ({
    k: tf.keep(splitHeads(linear(enc, l.ca.k), batch, tSrc, heads)),
    v: tf.keep(splitHeads(linear(enc, l.ca.v), batch, tSrc, heads)),
  })));
  let selfCache = m.dec.map(() => null);
  let tokens = tf.zeros([batch], 'int32');
  const out = [];
  for (let pos = 0; pos < steps; pos++) {
    const next = tf.tidy(() => {
      let h = tf.gather(m.shared, tokens);
      const bias = positionBias(m.decBias, 1, pos + 1, pos, heads);
      const newCache = [];
      m.dec.forEach((l, i) => {
        const x = rmsNorm(h, l.ln1);
        const c = selfCache[i];
        const sa = c ? attention(l.sa, x, x, batch, 1, pos + 1, heads, bias, { append: c })
          : attention(l.sa, x, x, batch, 1, 1, heads, bias);
        newCache.push({ k: tf.keep(sa.k), v: tf.keep(sa.v) });
        h = tf.add(h, sa.out);
        h = tf.add(h, attention(l.ca, rmsNorm(h, l.ln2), null, batch, 1, tSrc, heads, null, cross[i]).out);
        h = tf.add(h, feedForward(l.ff, rmsNorm(h, l.ln3)));
      });
      selfCache.forEach((c) => c && tf.dispose([c.k, c.v]));
      selfCache = newCache;
      return tf.argMax(lmHead(m, rmsNorm(h, m.decNorm)), -1);
    });
    tokens.dispose();
    tokens = next;
    out.push(Array.from(next.dataSync()));
  }
  tokens.dispose();
  selfCache.forEach((c) => c && tf.dispose([c.k, c.v]));
  cross.forEach((c) => tf.dispose([c.k, c.v]));
  enc.dispose();
  return out;
}

/** Multiply-add FLOPs (×2) of one teacher-forced forward pass; a training step is 3× this. */
export function forwardFlops(cfg, batch, tSrc, tDec) {
  const { dModel: d, dFf, layers, vocab } = cfg;
  const ne = batch * tSrc, nd = batch * tDec;
  const attnScores = (tq, tk) => 2 * 2 * batch * tq * tk * d;
  const enc = layers * (4 * 2 * ne * d * d + attnScores(tSrc, tSrc) + 2 * 2 * ne * d * dFf);
  const dec = layers * (4 * 2 * nd * d * d + attnScores(tDec, tDec) + 2 * 2 * nd * d * d + 2 * 2 * ne * d * d +
    attnScores(tDec, tSrc) + 2 * 2 * nd * d * dFf);
  return enc + dec + 2 * nd * d * vocab;
}
