// The backend choice in a browser (or a worker): WebGPU where the browser offers an adapter, else tfjs-backend-wasm
// (its .wasm files served by the page's own origin), else the pure JS cpu backend. Node's choice is init.ts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { KardError } from '@kard/core';
import { installFastSegmentSum } from './segment-sum';
import { registerWasmFallbacks } from './wasm-fallbacks';

export type BrowserBackendName = 'webgpu' | 'wasm' | 'cpu';
export const BROWSER_BACKEND_ORDER: readonly BrowserBackendName[] = ['webgpu', 'wasm', 'cpu'];

export interface BrowserBackendInfo {
  name: BrowserBackendName;
  /** What runs, plus why each better backend was passed over. */
  reason: string;
  skipped: { name: BrowserBackendName; reason: string }[];
}

export interface InitBrowserBackendOptions {
  /** Force one backend (fails if it cannot start); default: the first of webgpu, wasm, cpu that starts. */
  backend?: BrowserBackendName;
  /**
   * Where tfjs-backend-wasm's .wasm files are served, ending in '/' (e.g. `new URL('wasm/', location.href).href`):
   * the page's own origin, never a CDN. Required for the wasm backend.
   */
  wasmPaths?: string;
}

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown | null> };
}

async function start(name: BrowserBackendName, o: InitBrowserBackendOptions): Promise<string> {
  if (name === 'webgpu') {
    const gpu = (globalThis as { navigator?: GpuNavigator }).navigator?.gpu;
    if (!gpu) throw new Error('this browser has no navigator.gpu');
    if (!(await gpu.requestAdapter())) throw new Error('navigator.gpu offered no adapter');
  }
  if (name === 'wasm') {
    if (!o.wasmPaths) throw new Error('no wasmPaths given (the folder serving tfjs-backend-wasm .wasm files)');
    setWasmPaths(o.wasmPaths);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  if (name === 'wasm') {
    const added = registerWasmFallbacks();
    return `tfjs-backend-wasm${added.length ? ` (JS fallback for ${added.join(', ')})` : ''}`;
  }
  if (name === 'cpu') {
    installFastSegmentSum();
    return 'pure JS tfjs cpu backend';
  }
  return 'tfjs-backend-webgpu';
}

/** Starts the forced backend, or the best of webgpu, wasm, cpu that starts here; says which and why. */
export async function initBrowserBackend(o: InitBrowserBackendOptions = {}): Promise<BrowserBackendInfo> {
  if (o.backend) {
    try {
      return { name: o.backend, reason: `forced: ${await start(o.backend, o)}`, skipped: [] };
    } catch (err) {
      throw new KardError(`backend ${o.backend} is unavailable: ${(err as Error).message}`);
    }
  }
  const skipped: BrowserBackendInfo['skipped'] = [];
  for (const name of BROWSER_BACKEND_ORDER) {
    try {
      const what = await start(name, o);
      const why = skipped.length ? `; skipped ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` : '';
      return { name, reason: `${what}${why}`, skipped };
    } catch (err) {
      skipped.push({ name, reason: (err as Error).message });
    }
  }
  throw new KardError(`no tfjs backend starts: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
