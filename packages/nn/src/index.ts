export * from './backend';
export * from './safetensors';
export * from './optim';
export * from './module';
export * from './checkpoint';
export * from './training';
export { crossEntropy, IGNORE_INDEX } from './losses';
export { rmsNorm } from './backend/fused-ops';
