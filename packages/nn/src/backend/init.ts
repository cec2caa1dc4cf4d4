// Picks the fastest tfjs backend that works here, best first, and says why the others were passed over.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { loadNativeAddon } from './native-addon';
import { NATIVE_CPU, registerNativeCpuBackend } from './native-cpu';
import { registerSoftmaxCrossEntropy } from './softmax-cross-entropy';
import { installFastSegmentSum } from './segment-sum';
import { registerWasmFallbacks } from './wasm-fallbacks';
import { prepareWebGpu } from './webgpu';
import { KardError } from '@kard/core';

export type BackendName = 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node' | 'native-cpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The backend now running. */
  name: BackendName;
  /** Why it runs: the forced choice, or what it is plus why each better one was skipped. */
  reason: string;
  /** The name tfjs knows it by (`tf.getBackend()`): 'tensorflow' for both tfjs-node builds. */
  tfjsName: string;
  /** Each better backend tried first, with why it was not used. */
  skipped: { name: BackendName; reason: string }[];
}

export interface InitBackendOptions {
  /** Force one backend (default: `$KARD_BACKEND`, else the best that works). Fails if it cannot start. */
  backend?: BackendName;
}

/** Thrown when a forced backend cannot start; `reason` says why. */
export class BackendUnavailableError extends KardError {
  constructor(
    readonly backend: string,
    readonly reason: string,
  ) {
    super(`backend ${backend} is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

/**
 * Best first. `webgpu` is tried automatically only on a hardware adapter (a GPU driver found); the software one
 * (SwiftShader, a CPU emulation far slower than native-cpu) runs only when forced.
 */
export const BACKEND_ORDER: readonly BackendName[] = [
  'tfjs-node-gpu',
  'webgpu',
  'tfjs-node',
  'native-cpu',
  'wasm',
  'cpu',
];

const optionalRequire = createRequire(__filename);

function isNotInstalled(err: unknown, pkg: string): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && (e.message ?? '').includes(`'${pkg}'`);
}

/** Makes `name` loadable by tfjs; returns its tfjs name and a description, or throws with the reason. */
async function prepare(name: BackendName, forced: boolean): Promise<{ tfjsName: string; what: string }> {
  switch (name) {
    case 'webgpu':
      return prepareWebGpu(forced);
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      const pkg = `@tensorflow/${name}`;
      try {
        optionalRequire(pkg);
      } catch (err) {
        throw new Error(
          isNotInstalled(err, pkg) ? `${pkg} not installed` : `${pkg} failed to load: ${(err as Error).message}`,
        );
      }
      if (!tf.findBackendFactory('tensorflow')) {
        throw new Error(`${pkg} loaded but registered with another copy of @tensorflow/tfjs-core (versions differ)`);
      }
      return { tfjsName: 'tensorflow', what: `${pkg} (TensorFlow C library)` };
    }
    case 'native-cpu': {
      const { addon, reason } = loadNativeAddon();
      if (!addon) throw new Error(reason);
      registerNativeCpuBackend(addon);
      const { threads } = addon.info();
      return { tfjsName: NATIVE_CPU, what: `tfjs cpu backend with OpenBLAS sgemm (${threads} threads) and C kernels` };
    }
    case 'wasm': {
      try {
        optionalRequire('@tensorflow/tfjs-backend-wasm');
      } catch (err) {
        throw new Error(`@tensorflow/tfjs-backend-wasm failed to load: ${(err as Error).message}`);
      }
      const added = registerWasmFallbacks();
      return {
        tfjsName: 'wasm',
        what: `tfjs-backend-wasm${added.length ? ` (JS fallback for ${added.join(', ')})` : ''}`,
      };
    }
    case 'cpu':
      installFastSegmentSum();
      return { tfjsName: 'cpu', what: 'pure JS tfjs cpu backend (O(N) UnsortedSegmentSum from @kard/nn)' };
  }
}

async function start(name: BackendName, forced = false): Promise<{ tfjsName: string; what: string }> {
  const p = await prepare(name, forced);
  if (!(await tf.setBackend(p.tfjsName))) throw new Error(`tf.setBackend('${p.tfjsName}') failed`);
  await tf.ready();
  return p;
}

/**
 * Starts a tfjs backend: the one forced by `opts.backend` or `$KARD_BACKEND`, else the first of
 * tfjs-node-gpu, webgpu (hardware adapters only), tfjs-node, native-cpu, wasm, cpu that starts. Returns which one runs and why.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  registerSoftmaxCrossEntropy();
  const forced = opts.backend ?? (process.env.KARD_BACKEND as BackendName | undefined);
  if (forced) {
    if (!BACKEND_ORDER.includes(forced)) {
      throw new BackendUnavailableError(forced, `unknown backend; expected one of ${BACKEND_ORDER.join(', ')}`);
    }
    try {
      const p = await start(forced, true);
      const by = opts.backend ? 'the backend option' : 'KARD_BACKEND';
      return { name: forced, tfjsName: p.tfjsName, reason: `forced by ${by}: ${p.what}`, skipped: [] };
    } catch (err) {
      throw new BackendUnavailableError(forced, (err as Error).message);
    }
  }
  const skipped: BackendInfo['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    try {
      const p = await start(name);
      const why = skipped.length ? `; skipped ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}` : '';
      return { name, tfjsName: p.tfjsName, reason: `${p.what}${why}`, skipped };
    } catch (err) {
      skipped.push({ name, reason: (err as Error).message });
    }
  }
  throw new BackendUnavailableError('any', skipped.map((s) => `${s.name}: ${s.reason}`).join('; '));
}
