export { AdamW, type AdamWOptions, type AdamWState } from './adamw';
export { linearSchedule, constantSchedule, type LrSchedule } from './schedule';
export { clipByGlobalNorm, globalNorm, GradientAccumulator } from './gradients';
