// Inverted dropout whose mask is a hash of (seed, element index): one seed drawn from the caller's `Rng` per
// call, so a resumed run draws the same masks, and the mask is the same on every backend (C on native-cpu,
// the identical JS loop elsewhere). Drawing one xoshiro uniform per element in JS cost ~70 ns an element,
// seconds per t5-small step.
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon } from '../backend/native-addon';
import type { Rng } from '@kard/core';

const TWO_32 = 4294967296;

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
}

/**
 * The dropout mask for `n` elements: `1 / (1 - rate)` where murmur3's finaliser of `i · 0x9E3779B9 + seed`
 * (as uint32) is at least `rate · 2³²`, else 0. So each element is kept with probability 1 − rate.
 */
export function dropoutMask(n: number, rate: number, seed: number): Float32Array {
  checkRate(rate);
  const out = new Float32Array(n);
  const threshold = Math.min(TWO_32 - 1, Math.ceil(rate * TWO_32));
  const scale = 1 / (1 - rate);
  const s = seed >>> 0;
  if (tf.getBackend() === 'native-cpu') {
    const { addon } = loadNativeAddon();
    if (addon) {
      addon.dropoutMask(s, threshold, scale, out);
      return out;
    }
  }
  for (let i = 0; i < n; i++) {
    let h = (Math.imul(i, 0x9e3779b9) + s) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
    out[i] = h >= threshold ? scale : 0;
  }
  return out;
}

/** Inverted dropout: x · mask, with one seed for the mask drawn from `rng`. Identity without `rng` or at rate 0. */
export function dropout(x: tf.Tensor, rate: number, rng: Rng | undefined): tf.Tensor {
  if (!rng || rate <= 0) return x;
  const mask = dropoutMask(x.size, rate, rng.nextU32());
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}
