export { DatasetFormatError, TeacherEndpointError } from './errors';
export { YES_NO, type McOption, type McQuestion } from './question';

export type { LoadedQuestions } from './datasets/load-result';
export { datasetNameOf, loadQuestions, type DatasetFormat, type LoadQuestionsOptions } from './datasets/load';
export { loadStrategyQa } from './datasets/strategyqa';
export { loadOpenbookFacts } from './datasets/obqa';
export { readFlanCotRows, type FlanCotRow } from './datasets/flan-cot';
export { listDatasets, type DatasetInfo } from './datasets/registry';

export { instructionFor, promptTexts, type PromptMode } from './examples/prompt';
export { fitInput, loadTokenCounter, type FittedInput, type TokenCounter } from './examples/budget';
export {
  buildExamples,
  type BuildExamplesOptions,
  type BuiltExamples,
  type KardExample,
} from './examples/kard-examples';
export { openKnowledge, type Knowledge, type KnowledgeOptions } from './examples/knowledge';
export { canSearchBatch, PrefetchedSearch, type BatchSearchLike } from './examples/batched-search';
export { evidenceHits, type EvidenceHits } from './examples/evidence';

export { parseAnswer, statedAnswer } from './teacher/answer';
export { attachRationales, type AttachResult, type ImportedRationale, type Rationale } from './teacher/rationale';
export {
  importDatasetFacts,
  importFlanCot,
  importRationaleJsonl,
  importRationales,
  importZeroShotCotLog,
  RATIONALE_FORMATS,
  readZeroShotCotLog,
  type RationaleFormat,
  type ZeroShotCotRecord,
} from './teacher/import';
export { CHAT_RESPONSES_OWNER, importChatResponses, writeChatResponses } from './teacher/chat-responses';
export {
  CHARS_PER_TOKEN,
  estimateTeacherCost,
  teacherEstimateLine,
  type TeacherCostEstimate,
  type TeacherTokenCounter,
} from './teacher/cost';
export { explanationOf, verifyRationales, type VerifiedRationale, type VerifyReport } from './teacher/verify';
export { ChatEndpoint, type EndpointOptions } from './teacher/endpoint';
export { pickDemonstrations, rationalisationMessages, type Demonstration } from './teacher/fewshot';
export { FEW_SHOT_TEMPLATES, fewShotTemplate, type FewShotTemplate } from './teacher/templates';
export {
  generateRationales,
  importGenerationCache,
  teacherMessages,
  type GenerateRationalesOptions,
  type GenerateSummary,
  TEACHER_MODES,
  type TeacherMode,
} from './teacher/generate';

export {
  prepare,
  PREPARED_DATA_OWNER,
  type PrepareConfig,
  type PrepareManifest,
  type PrepareParts,
  type PreparedFile,
} from './prepare';
