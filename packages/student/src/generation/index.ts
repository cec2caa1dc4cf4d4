export { generate, padBatch } from './generate';
export { beamSearch } from './beam';
export { sampleToken } from './sampling';
export type { GenerateOptions, GeneratedSequence } from './options';
