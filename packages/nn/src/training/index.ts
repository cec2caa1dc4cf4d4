export { optimizerStep, type StepOptions, type StepOutcome } from './step';
export {
  runTrainingLoop,
  latestCheckpoint,
  numberedCheckpoints,
  checkFingerprint,
  CheckpointMismatchError,
  NonFiniteLossError,
  CorruptCheckpointError,
  type TrainingLoop,
  type LoopState,
  type LoopResult,
  type CheckpointPolicy,
} from './loop';
