// STUB (owned by the native-backend helper): picks and initialises the tfjs backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'native-cpu' | 'wasm' | 'cpu';
export interface BackendInfo { name: BackendName; reason: string }

export async function initBackend(opts: { backend?: BackendName } = {}): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: 'cpu', reason: opts.backend ? `forced ${opts.backend} (stub: cpu only)` : 'stub: cpu only' };
}
