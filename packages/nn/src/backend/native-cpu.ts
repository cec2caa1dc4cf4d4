// The `native-cpu` backend: tfjs's own cpu backend (tensors are plain typed arrays) with the hot kernels
// replaced by OpenBLAS sgemm and tight C loops from the kard_nn addon. Every other kernel is the cpu one.
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { cpuKernel, type NativeKernel } from './kernels/common';
import { elementwiseKernels } from './kernels/elementwise';
import { indexingKernels } from './kernels/indexing';
import { batchMatMulKernel, fusedMatMulKernel } from './kernels/matmul';
import { reduceKernels } from './kernels/reduce';
import { registerFusedOps } from './fused-ops';
import type { NativeAddon } from './native-addon';
import { registerSoftmaxCrossEntropy, softmaxCrossEntropyKernels } from './softmax-cross-entropy';

export const NATIVE_CPU = 'native-cpu';

/** Kernels the native-cpu backend runs in C (the rest are tfjs-backend-cpu's, shared unchanged). */
export const nativeKernels: NativeKernel[] = [
  batchMatMulKernel,
  fusedMatMulKernel,
  ...elementwiseKernels,
  ...reduceKernels,
  ...indexingKernels,
  ...softmaxCrossEntropyKernels,
];

let registered = false;

/** Registers `native-cpu` once; later calls are no-ops. */
export function registerNativeCpuBackend(addon: NativeAddon): void {
  if (registered) return;
  registered = true;
  registerSoftmaxCrossEntropy();
  tf.registerBackend(
    NATIVE_CPU,
    () => {
      const backend = new MathBackendCPU();
      // Silence the cpu backend's "install tfjs-node" advice: this backend is the native route.
      (backend as unknown as { firstUse: boolean }).firstUse = false;
      return backend;
    },
    3,
  );
  const overridden = new Set(nativeKernels.map((k) => k.kernelName));
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (!overridden.has(config.kernelName)) tf.registerKernel({ ...config, backendName: NATIVE_CPU });
  }
  for (const kernel of nativeKernels) {
    const fallback = cpuKernel(kernel.kernelName);
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: NATIVE_CPU,
      kernelFunc: (args) =>
        kernel.native(addon, args as unknown as Parameters<NativeKernel['native']>[1]) ?? fallback(args),
    });
  }
  registerFusedOps(addon, NATIVE_CPU);
}
