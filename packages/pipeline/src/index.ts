export {
  BACKENDS,
  EVAL_METHODS,
  KardConfigSchema,
  RATIONALE_FORMATS,
  STUDENT_METHODS,
  schemaLeaves,
  type EvalMethod,
  type KardConfig,
  type Leaf,
  type OptionMeta,
  type StudentMethod,
} from './config/schema';
export { ConfigError, flagName, loadConfig, parseFlagValue, readConfigFile, validateConfig } from './config/validate';
export { RunFolder, JsonlLog, type StageMarker, type StageOptions, type StageOutcome } from './run/run-folder';
export { lockRunFolder, RunFolderLockedError } from './run/run-lock';
export { fingerprintFile, type OutputRecord } from './run/outputs';
export { hashFile, hashJson } from './run/hash';
export { writeRunInfo } from './run/run-info';
export { StagePlan, type PlannedStage } from './stages/stage-plan';
export { STAGES, TrainingPipeline, startBackend, type StageHooks, type StageName } from './stages/train-stages';
export { majorityVote, summarizeAccuracy, wilsonInterval, Z95, type AccuracySummary } from './eval/stats';
export {
  evaluateMethod,
  evalQuestions,
  evidenceHit,
  STUDENT_OF,
  type MethodResult,
  type Prediction,
} from './eval/evaluate';
export { rationaleLoss, rerankerMetrics, type RationaleLoss, type RerankerMetrics } from './eval/diagnostics';
export { runEvaluation } from './eval/run-eval';
export { assertStagesCurrent, staleStages, StaleStagesError, type StaleStage } from './eval/stage-check';
export { accuracySvg, reportMarkdown, writeReport, type EvalReport } from './report/report';
export { addConfigOptions, configFromOptions } from './cli/options';
export { stageProgress } from './cli/progress';
