import { Rng } from '@kard/core';
import type { Embedder } from '../embedder';

/**
 * Test double: a deterministic bag-of-words embedder. Each lowercase word adds +1 or -1 to one of `dim`
 * buckets chosen by its FNV-1a hash, so texts sharing words have a positive inner product.
 */
export class HashingEmbedder implements Embedder {
  calls = 0;
  constructor(readonly dim: number) {}

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls++;
    return texts.map((t) => {
      const v = new Float32Array(this.dim);
      for (const word of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        const h = fnv1a(word);
        v[h % this.dim] += h & 0x80000000 ? -1 : 1;
      }
      return v;
    });
  }
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Seeded uniform floats in [-1, 1), rows back to back. */
export function randomVectors(n: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() * 2 - 1;
  return out;
}

/** Brute-force top-k by inner product in float64: [row, score] pairs, best first. */
export function bruteForceTopK(
  base: Float32Array,
  query: Float32Array,
  dim: number,
  k: number,
): { row: number; score: number }[] {
  const n = base.length / dim;
  const top: { row: number; score: number }[] = []; // sorted best first, at most k long
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += base[r * dim + j] * query[j];
    if (top.length === k && s <= top[k - 1].score) continue;
    let at = top.length;
    while (at > 0 && top[at - 1].score < s) at--;
    top.splice(at, 0, { row: r, score: s });
    if (top.length > k) top.pop();
  }
  return top;
}

/** Rows scaled to unit L2 norm (float64 maths), for cosine references. */
export function unitRows(data: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < data.length / dim; r++) {
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += data[r * dim + j] ** 2;
    const norm = Math.sqrt(sq);
    for (let j = 0; j < dim; j++) out[r * dim + j] = data[r * dim + j] / norm;
  }
  return out;
}
