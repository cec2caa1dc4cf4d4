export {
  saveCheckpoint,
  loadCheckpoint,
  saveTrainingState,
  loadTrainingState,
  OPTIMIZER_FILE,
  TRAINER_STATE_FILE,
  CHECKPOINT_OWNER,
  type TrainingState,
} from './checkpoint';
