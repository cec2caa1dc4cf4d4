import type { Rng } from '@kard/core';

/**
 * Draws a token from one row of logits the way HF's warpers do, in their order: temperature, top-k, top-p
 * (tokens whose ascending cumulative probability is <= 1 - topP are removed; the most likely always stays).
 */
export function sampleToken(
  logits: Float32Array,
  offset: number,
  v: number,
  o: { temperature: number; topK: number; topP: number },
  rng: Rng,
): number {
  const scores = new Float64Array(v);
  for (let i = 0; i < v; i++) scores[i] = logits[offset + i] / o.temperature;
  if (o.topK > 0 && o.topK < v) {
    const kth = [...scores].sort((a, b) => b - a)[o.topK - 1];
    for (let i = 0; i < v; i++) if (scores[i] < kth) scores[i] = -Infinity;
  }
  if (o.topP < 1) {
    const order = Array.from({ length: v }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
    const probs = softmax(scores);
    let cum = 0;
    for (let r = 0; r < v - 1; r++) {
      cum += probs[order[r]];
      if (cum <= 1 - o.topP) scores[order[r]] = -Infinity;
    }
  }
  const probs = softmax(scores);
  let u = rng.uniform();
  for (let i = 0; i < v; i++) {
    u -= probs[i];
    if (u < 0) return i;
  }
  let last = 0;
  for (let i = 0; i < v; i++) if (probs[i] > 0) last = i;
  return last;
}

function softmax(x: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of x) max = Math.max(max, s);
  const out = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp(x[i] - max);
  for (let i = 0; i < x.length; i++) out[i] /= sum;
  return out;
}
