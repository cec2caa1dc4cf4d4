export { DatasetFormatError, TeacherEndpointError } from './errors';
export { checkQuestion, labelOptions, LABELS, normalizeText, YES_NO, type McOption, type McQuestion } from './question';

export type { LoadOptions, LoadResult, SkippedRecord } from './datasets/load-result';
export {
  DATASET_FORMATS,
  datasetNameOf,
  detectFormat,
  loadQuestions,
  type DatasetFormat,
  type LoadQuestionsOptions,
} from './datasets/load';
export { loadStrategyQa, strategyQaEvidenceIds } from './datasets/strategyqa';
export { loadMedQa } from './datasets/medqa';
export { loadObqa, loadObqaStaged, loadOpenbookFacts } from './datasets/obqa';
export { loadFlanCot, parseFlanCotRow, readFlanCotRows, type FlanCotRow } from './datasets/flan-cot';
export { loadMcJsonl } from './datasets/mc-jsonl';
export {
  findDatasetsDir,
  formatDatasetList,
  listDatasets,
  type DatasetFile,
  type DatasetInfo,
} from './datasets/registry';

export {
  DEFAULT_INSTRUCTIONS,
  formatInput,
  formatOptions,
  formatPassage,
  formatTarget,
  instructionFor,
  type PromptMode,
} from './examples/prompt';
export { fitInput, loadTokenCounter, type FittedInput, type TokenCounter } from './examples/budget';
export {
  buildExamples,
  type BuildExamplesOptions,
  type BuiltExamples,
  type KardExample,
  type PassageLookup,
  type RerankerRecordBuilder,
  type RerankerRecordLike,
  type ScorerLike,
  type SearchLike,
} from './examples/kard-examples';
export { openKnowledge, type Knowledge, type KnowledgeOptions } from './examples/knowledge';
export { splitByQuestion } from './examples/split';

export { matchOption, parseAnswer, stripFinalAnswer } from './teacher/answer';
export { attachRationales, type AttachResult, type ImportedRationale, type Rationale } from './teacher/rationale';
export {
  importFlanCot,
  importRationaleJsonl,
  importRationales,
  importZeroShotCotLog,
  RATIONALE_FORMATS,
  readZeroShotCotLog,
  type RationaleFormat,
  type ZeroShotCotRecord,
} from './teacher/import';
export { verifyRationales, type VerifiedRationale, type VerifyReport } from './teacher/verify';
export { ChatEndpoint, type ChatMessage, type Completion, type EndpointOptions } from './teacher/endpoint';
export { fewShotMessages, pickDemonstrations, type Demonstration } from './teacher/fewshot';
export {
  generateRationales,
  importGenerationCache,
  type GenerateOptions,
  type GenerateSummary,
} from './teacher/generate';
export { RationaleCache, readCache, type CacheRecord } from './teacher/cache';

export {
  prepare,
  PREPARED_DATA_OWNER,
  type PrepareConfig,
  type PrepareManifest,
  type PrepareParts,
  type PreparedFile,
} from './prepare';

export { evidenceHits, type EvidenceHits } from './examples/evidence';
export { createProgram as createCotCli, main as runCotCli } from './cli/program';
export { prepareCommand, prepareConfigFromFlags } from './cli/prepare-command';
export type { CliIo } from './cli/io';
