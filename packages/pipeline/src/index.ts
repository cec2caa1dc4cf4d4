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
export { checkConfigPaths, type PathCheckScope } from './config/paths';
// the apps' endings (message-only errors, 143 on SIGTERM), so they need no import of their own from @kard/core
export { describeCliError, signalExitCode } from '@kard/core';
export { ConfigError, flagName, loadConfig, parseFlagValue, readConfigFile, validateConfig } from './config/validate';
export { RunFolder, JsonlLog, type StageMarker, type StageOutcome } from './run/run-folder';
export { hashFile, hashJson } from './run/hash';
export { writeRunInfo } from './run/run-info';
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
export { accuracySvg, reportMarkdown, REPORT_OWNER, writeReport, type EvalReport } from './report/report';
export { addConfigOptions, configFromOptions } from './cli/options';
export { stageProgress } from './cli/progress';
