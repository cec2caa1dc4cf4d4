export {
  initBackend,
  BackendUnavailableError,
  installFastSegmentSum,
  type BackendName,
  type BackendInfo,
  type InitBackendOptions,
} from './backend';
export {
  SafetensorsError,
  readSafetensorsHeader,
  parseSafetensors,
  readSafetensors,
  readSafetensorsDir,
  findSafetensorsFiles,
  writeSafetensors,
  writeSafetensorsDir,
  type NamedArray,
  type ArrayToWrite,
} from './safetensors';
export {
  AdamW,
  linearSchedule,
  clipByGlobalNorm,
  GradientAccumulator,
  type AdamWOptions,
  type LrSchedule,
} from './optim';
export {
  Module,
  StateDictError,
  Linear,
  Conv1D,
  Embedding,
  LayerNorm,
  geluNew,
  gelu,
  dropout,
  dropoutMask,
} from './module';
export {
  saveCheckpoint,
  loadCheckpoint,
  saveTrainingState,
  loadTrainingState,
  CHECKPOINT_OWNER,
  type TrainingState,
} from './checkpoint';
export {
  runTrainingLoop,
  optimizerStep,
  CheckpointMismatchError,
  type TrainingLoop,
  type LoopResult,
  type CheckpointPolicy,
  type StepOptions,
} from './training';
export { crossEntropy, IGNORE_INDEX } from './losses';
export {
  webgpuAdapterReport,
  describeAdapter,
  searchVulkanIcds,
  SWIFTSHADER_ICD,
  WebGpuError,
  type WebGpuAdapterReport,
  type IcdSearch,
} from './backend';
export { rmsNorm } from './backend/fused-ops';
