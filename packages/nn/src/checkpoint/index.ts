export {
  saveCheckpoint,
  loadCheckpoint,
  saveTrainingState,
  loadTrainingState,
  OPTIMIZER_FILE,
  TRAINER_STATE_FILE,
  type TrainingState,
} from './checkpoint';
