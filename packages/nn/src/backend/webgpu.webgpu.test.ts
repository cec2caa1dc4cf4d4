// The webgpu backend on SwiftShader (CPU-emulated Vulkan): started only when asked, adapter reported, synchronous
// reads, clear errors, and a transformer block's training step equal to native-cpu's (and the cpu backend's).
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import '../autodiff';
import { initBackend } from './init';
import { fusedAdamWUpdate } from './adamw-update';
import { nativeOrSkip, runOn, worstError, rand } from './testing/parity';
import { SWIFTSHADER_ICD, webgpuAdapterReport, WebGpuError } from './webgpu';
import { transformerBlockStep } from './testing/transformer-block';
import { clipByGlobalNorm } from '../optim/gradients';

const haveNative = nativeOrSkip();

describe('webgpu backend', () => {
  beforeAll(async () => {
    const info = await initBackend({ backend: 'webgpu' });
    expect(info.reason).toMatch(/tfjs-backend-webgpu on Dawn/);
  });

  it('reports the adapter it runs on', () => {
    const r = webgpuAdapterReport()!;
    expect(r.architecture).toBe('swiftshader');
    expect(r.software).toBe(true);
    expect(r.limits.maxBufferSize).toBeGreaterThan(1 << 20);
    expect(tf.getBackend()).toBe('webgpu');
  });

  it('reads results back synchronously (dataSync) and asynchronously, equal to a JS reference', async () => {
    tf.setBackend('webgpu');
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2]);
    const c = tf.matMul(a, b);
    expect(Array.from(c.dataSync())).toEqual([58, 64, 139, 154]);
    expect(await tf.add(c, 1).data()).toEqual(new Float32Array([59, 65, 140, 155]));
    tf.dispose([a, b, c]);
  });

  it('names the shape of a tensor too large for the device instead of failing later', () => {
    tf.setBackend('webgpu');
    const max = webgpuAdapterReport()!.limits.maxBufferSize;
    const rows = Math.ceil(max / 4 / 1024) + 1;
    expect(() => tf.fill([rows, 1024], 1)).toThrow(WebGpuError);
    expect(() => tf.fill([rows, 1024], 1)).toThrow(new RegExp(`float32 \\[${rows}, 1024\\]`));
  });
});

// Out of memory for real: 64 MiB tensors, each within the device's limits, until the device's memory is gone. On
// SwiftShader that memory is the process's own, so the child caps its address space (webgpu-oom-child.cjs).
describe('webgpu out of memory', () => {
  const dist = path.resolve(__dirname, '../../dist/index.js');
  const child = path.join(__dirname, 'testing', 'webgpu-oom-child.cjs');
  const oom =
    /^WebGpuError: webgpu: out of GPU memory allocating tensor float32 \[16, 1024, 1024\] \(67108864 bytes\): /;

  function runOutOfMemory(mode: 'fill' | 'values') {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build first (npx nx run @kard/nn:build)`);
    expect(webgpuAdapterReport()!.limits.maxBufferSize).toBeGreaterThanOrEqual(67108864); // not the limit check
    const env: NodeJS.ProcessEnv = { ...process.env, MALLOC_ARENA_MAX: '2' }; // glibc's per-thread arenas would spend the cap
    if (existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    // A hang (a lost device waited on) fails here, at the timeout.
    const r = spawnSync(process.execPath, [child, mode, '320'], { encoding: 'utf8', timeout: 60_000, env });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // Dawn's own report of each failed buffer is not printed (the backend throws it instead).
    expect(r.stdout).not.toMatch(/out of memory:|Invalid Buffer/);
    return out as { allocated: number; threw?: string; values: number[]; again: number };
  }

  it('an op whose output does not fit throws WebGpuError naming the shape; the backend goes on', () => {
    const out = runOutOfMemory('fill');
    expect(out.threw).toMatch(oom);
    expect(out.threw).toMatch(/VK_ERROR_OUT_OF_DEVICE_MEMORY/);
    expect(out.allocated).toBeGreaterThanOrEqual(1);
    expect(out.allocated).toBeLessThan(64); // the cap, not the loop's end, stopped it
    expect(out.values).toEqual(Array.from({ length: out.allocated }, (_, i) => i + 1));
    expect(out.again).toBe(-1);
  });

  it('a tensor made from values that does not fit throws WebGpuError naming the shape', () => {
    const out = runOutOfMemory('values');
    expect(out.threw).toMatch(oom);
    expect(out.values).toEqual(Array.from({ length: out.allocated }, (_, i) => i + 1));
    expect(out.again).toBe(-1);
  });
});

describe('a training step on webgpu equals native-cpu', () => {
  beforeAll(() => initBackend({ backend: 'webgpu' }));

  (haveNative ? it : it.skip)('transformer block: loss and every gradient within 1e-3 relative', async () => {
    const [native, gpu] = await runOn(['native-cpu', 'webgpu'], transformerBlockStep);
    expect(gpu).toHaveLength(10);
    native.forEach((n, i) => {
      expect(gpu[i].shape).toEqual(n.shape);
      expect(worstError(gpu[i].values, n.values, 1e-3, 1e-6)).toBeLessThanOrEqual(1);
    });
    expect(native[1].values.some((x) => x !== 0)).toBe(true); // the embedding gradient (UnsortedSegmentSum)
  });

  (haveNative ? it : it.skip)('AdamW update and gradient clipping', async () => {
    const step = () => {
      const p = tf.variable(rand([7, 5])),
        m = tf.variable(tf.mul(rand([7, 5]), 0.1)),
        v = tf.variable(tf.abs(tf.mul(rand([7, 5]), 0.01)));
      const g = rand([7, 5], -3, 3);
      const { grads, norm } = clipByGlobalNorm(new Map([['g', g]]), 1.5);
      fusedAdamWUpdate(p, grads.get('g')!, m, v, { lr: 1e-2, step: 3, weightDecay: 0.1 });
      const out = [p.clone(), m.clone(), v.clone(), tf.scalar(norm)];
      tf.dispose([p, m, v, ...grads.values()]);
      return out;
    };
    const [native, gpu] = await runOn(['native-cpu', 'webgpu'], step);
    native.forEach((n, i) => expect(worstError(gpu[i].values, n.values, 1e-4, 1e-6)).toBeLessThanOrEqual(1));
    expect(native[3].values[0]).toBeGreaterThan(1.5); // the clip was active
  });
});
