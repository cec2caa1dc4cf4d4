export * from './backend';
export * from './safetensors';
export * from './optim';
export * from './module';
export * from './checkpoint';
export { Rng, type RngState } from './rng';
export { crossEntropy, IGNORE_INDEX } from './losses';
export { writeFileAtomic, writeDirAtomic } from './atomic';
export { stringifyHfConfig, HF_FLOAT_FIELDS } from './hf-json';
