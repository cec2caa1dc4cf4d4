/** A learning rate as a function of the optimizer step about to be taken (0-based). */
export type LrSchedule = (step: number) => number;

/**
 * Linear warm-up from 0 to `lr` over `warmupSteps`, then linear decay to 0 at `totalSteps`: the same
 * multiplier as transformers' get_linear_schedule_with_warmup, so step 0 uses lr * 0 when warming up.
 */
export function linearSchedule(opts: { lr: number; warmupSteps?: number; totalSteps: number }): LrSchedule {
  const warmup = opts.warmupSteps ?? 0;
  const total = opts.totalSteps;
  return (step: number) => {
    if (step < warmup) return (opts.lr * step) / Math.max(1, warmup);
    return opts.lr * Math.max(0, (total - step) / Math.max(1, total - warmup));
  };
}

export function constantSchedule(lr: number): LrSchedule {
  return () => lr;
}
