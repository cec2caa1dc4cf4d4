// @kard/core in a browser: the parts with no Node built-in (errors, the generator, numeric helpers).
export { KardError, InputFormatError, UsageError } from './errors';
export { Rng, type RngState } from './rng';
export { meanInterval, wilsonInterval, Z95 } from './stats';
export { GrowableUint32Array, GrowableBigUint64Array } from './growable';
