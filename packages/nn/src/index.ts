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
export * from './portable';
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
export {
  webgpuAdapterReport,
  describeAdapter,
  searchVulkanIcds,
  SWIFTSHADER_ICD,
  WebGpuError,
  type WebGpuAdapterReport,
  type IcdSearch,
} from './backend';
