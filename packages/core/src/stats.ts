// Interval estimates shared by the reports: accuracy of a proportion (Wilson) and of a mean (cluster-robust).
/** The two-sided 95% normal quantile (Φ⁻¹(0.975)). */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion (Wilson 1927): unlike the normal approximation it stays
 * inside [0, 1] and is sensible for small n and for proportions near 0 or 1. n = 0 gives [0, 1].
 */
export function wilsonInterval(correct: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  const p = correct / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/**
 * Mean of `values` with a 95 % normal interval. With `clusters` (one id per value) the variance is the
 * cluster-robust one (sum over clusters of their squared summed residuals, times C/(C−1), over n²), so repeated
 * measurements of one unit do not count as independent; without, it is the usual s²/n (each value its own cluster).
 */
export function meanInterval(values: number[], clusters?: number[], z = Z95): { mean: number; ci95: [number, number] } {
  const n = values.length;
  if (clusters && clusters.length !== n) throw new RangeError(`clusters: ${clusters.length} ids for ${n} values`);
  const mean = n ? values.reduce((s, x) => s + x, 0) / n : 0;
  const sums = new Map<number, number>();
  values.forEach((x, i) => {
    const c = clusters ? clusters[i] : i;
    sums.set(c, (sums.get(c) ?? 0) + x - mean);
  });
  const C = sums.size;
  let ss = 0;
  for (const s of sums.values()) ss += s * s;
  const h = C > 1 ? z * Math.sqrt(((C / (C - 1)) * ss) / (n * n)) : 0;
  return { mean, ci95: [mean - h, mean + h] };
}
