/**
 * KARD's temperature annealing (Nardien/KARD, reranker/main.py, always on there): with progress p = step / total,
 *
 *     α(p) = 2 / (1 + exp(−10 p)) − 1          (0 at the start, → 1 at the end)
 *     τ = τ₀ − 4 α,    τ_model = τ_model₀ − 400 α
 *
 * The official loop updates the temperatures after computing each step's loss, so step t uses α((t−1)/total)
 * (and step 0 the initial values); we reproduce that lag. The offsets 4 and 400 are constants there, not
 * multiples of τ₀. From KARD's defaults (1, 100) both temperatures reach zero together at p = ln(5/3)/10 ≈ 0.051
 * and end near (−3, −300): their ratio stays 100, and a common negative temperature still has the same
 * optimum (score ∝ BM25), so we keep the schedule exactly rather than "fix" it. `none` keeps (τ₀, τ_model₀).
 */
export type AnnealingSchedule = 'kard' | 'none';

export interface Temperatures {
  tau: number;
  tauModel: number;
}

export function kardAlpha(progress: number): number {
  const p = Math.min(Math.max(progress, 0), 1);
  return 2 / (1 + Math.exp(-10 * p)) - 1;
}

/** Temperatures used for the loss at 0-based optimizer step `step` of `totalSteps`. */
export function temperaturesAt(
  step: number,
  totalSteps: number,
  start: Temperatures,
  schedule: AnnealingSchedule = 'kard',
): Temperatures {
  if (schedule === 'none' || step <= 0 || totalSteps <= 0) return { ...start };
  const a = kardAlpha((step - 1) / totalSteps);
  return { tau: start.tau - 4 * a, tauModel: start.tauModel - 400 * a };
}
