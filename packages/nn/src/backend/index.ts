export { initBackend, BackendUnavailableError, BACKEND_ORDER } from './init';
export type { BackendName, BackendInfo, InitBackendOptions } from './init';
export { fusedSoftmaxCrossEntropy } from './softmax-cross-entropy';
export { fusedAdamWUpdate } from './adamw-update';
export type { AdamWStep } from './adamw-update';
export { loadNativeAddon, nativeAddonPath } from './native-addon';
export { nativeKernels, NATIVE_CPU } from './native-cpu';
export { installFastSegmentSum } from './segment-sum';
