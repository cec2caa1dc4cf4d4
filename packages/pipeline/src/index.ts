export { KardConfigSchema, type KardConfig } from './config/schema';
export { checkConfigPaths, type PathCheckScope } from './config/paths';
export { ConfigError, flagName, loadConfig, validateConfig } from './config/validate';
export { RunFolder } from './run/run-folder';
export { lockRunFolder, RunFolderLockedError } from './run/run-lock';
export { writeRunInfo } from './run/run-info';
export { StagePlan, type PlannedStage } from './stages/stage-plan';
export { STAGES, TrainingPipeline, startBackend, type StageHooks, type StageName } from './stages/train-stages';
export type { MethodResult } from './eval/evaluate';
export { runEvaluation } from './eval/run-eval';
export { REPORT_OWNER, type EvalReport } from './report/report';
export { StaleStagesError } from './eval/stage-check';
export { addConfigOptions, configFromOptions } from './cli/options';
export { stageProgress } from './cli/progress';
export {
  exportWebBundle,
  WebExportError,
  WEB_BUNDLE_FORMAT,
  type ExportWebOptions,
  type WebBundleManifest,
} from './export/web-bundle';
