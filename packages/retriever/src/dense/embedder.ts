/**
 * Turns texts into fixed-size vectors: a sentence-embedding model, a DPR encoder, or a test double.
 * `embed` returns one vector of length `dim` per text, in order.
 */
export interface Embedder {
  readonly dim: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Divides by the L2 norm in place; an all-zero vector stays zero (it has no direction to keep). */
export function normalizeInPlace(v: Float32Array, offset = 0, length = v.length - offset): void {
  let sq = 0;
  for (let i = offset; i < offset + length; i++) sq += v[i] * v[i];
  if (sq === 0) return;
  const inv = 1 / Math.sqrt(sq);
  for (let i = offset; i < offset + length; i++) v[i] *= inv;
}
