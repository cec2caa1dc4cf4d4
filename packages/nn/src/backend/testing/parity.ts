// Test helpers: seeded inputs and a run-on-two-backends comparison (used only by *.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon, nativeAddonPath } from '../native-addon';
import { registerNativeCpuBackend } from '../native-cpu';
import { existsSync } from 'node:fs';

/** Deterministic uniform values in [lo, hi) (a 32-bit LCG: the test needs repeatability, not quality). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

/**
 * Registers native-cpu for the tests. Where the addon must exist (CI=true, or a build is present on disk) a
 * load failure throws, so a broken build can never pass as "skipped".
 */
export function nativeOrSkip(): boolean {
  const { addon, reason } = loadNativeAddon();
  if (!addon) {
    if (process.env.CI === 'true' || existsSync(nativeAddonPath()))
      throw new Error(`native-cpu must load here: ${reason}`);
    console.warn(`native-cpu parity tests skipped: ${reason}`);
    return false;
  }
  registerNativeCpuBackend(addon);
  return true;
}

let counter = 1;
/** A seeded random tensor; the seed sequence restarts for each backend, so both see the same inputs. */
export function rand(shape: number[], lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(
    seeded(
      shape.reduce((a, b) => a * b, 1),
      counter++,
      lo,
      hi,
    ),
    shape,
  );
}

export type Outputs = tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

function flatten(o: Outputs): tf.Tensor[] {
  if (o instanceof tf.Tensor) return [o];
  if (Array.isArray(o)) return o;
  return Object.keys(o)
    .sort()
    .map((k) => o[k] as tf.Tensor);
}

/** Runs `fn` on each backend and returns the outputs' shapes and values per backend. */
export async function runOn(
  backends: string[],
  fn: () => Outputs,
): Promise<{ shape: number[]; values: Float32Array }[][]> {
  const results = [];
  for (const b of backends) {
    await tf.setBackend(b);
    counter = 1;
    const out = tf.tidy(() => flatten(fn()));
    results.push(out.map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync() as Float32Array) })));
    tf.dispose(out);
  }
  return results;
}

/** Largest |a - b| / (atol + rtol·|b|) over all elements: ≤ 1 means equal within tolerance. */
export function worstError(a: Float32Array, b: Float32Array, rtol = 1e-4, atol = 1e-5): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // also equal infinities
    const e = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(e <= worst)) worst = Number.isNaN(e) ? (Number.isNaN(a[i]) && Number.isNaN(b[i]) ? worst : Infinity) : e;
  }
  return worst;
}

/** Asserts `fn` gives the same shapes and (within tolerance) values on cpu and native-cpu. */
export async function expectParity(fn: () => Outputs, rtol = 1e-4, atol = 1e-5): Promise<void> {
  const [cpu, native] = await runOn(['cpu', 'native-cpu'], fn);
  expect(native.length).toBe(cpu.length);
  cpu.forEach((c, i) => {
    expect(native[i].shape).toEqual(c.shape);
    expect(worstError(native[i].values, c.values, rtol, atol)).toBeLessThanOrEqual(1);
  });
}
