export { type BertConfig, BertConfigError, parseBertConfig, smallBertConfig } from './bert/config';
export { BertEncoder, bertParameterShapes, type ForwardOptions } from './bert/model';
export { LoraAdapters, KARD_LORA, type LoraConfig } from './bert/lora';
export { CheckpointError, bertKey, loadBertEncoder, readBertConfig } from './bert/checkpoint';
export { linear, layerNorm } from './bert/layers';
export { BertTokenizer, padBatch, type TokenBatch } from './tokenizer';
export {
  ColbertModel,
  freshHybridHead,
  DEFAULT_COLBERT,
  HYBRID_INIT,
  HYBRID_SCALE,
  type ColbertOptions,
  type HybridHead,
} from './colbert/model';
export { createRerankerModel, type RerankerModelOptions } from './colbert/create';
export { lateInteraction, lateInteractionAllPairs } from './colbert/late-interaction';
export { kardKlLoss } from './training/loss';
export { kardAlpha, temperaturesAt, type AnnealingSchedule, type Temperatures } from './training/annealing';
export { isInformative, sampleCandidates, type Candidate, type RerankerExample } from './training/data';
export {
  RecordPassageError,
  rerankerExamples,
  rerankerRecord,
  withQuestionScores,
  type RationalePair,
  type RerankerCandidate,
  type RerankerRecord,
  type SearchSpaceIndex,
} from './data/records';
export {
  INVERSE_CLOZE_DEFAULTS,
  inverseClozeLoss,
  inverseClozePair,
  pretrainInverseCloze,
  type InverseClozeOptions,
  type InverseClozeResult,
} from './training/inverse-cloze';
export { memberName, saveMembers, trainMembers, type TrainedMember } from './training/members';
export {
  RerankerTrainer,
  KARD_TRAINING,
  type TrainerOptions,
  type StepInfo,
  type TrainResult,
} from './training/trainer';
export {
  saveReranker,
  RERANKER_OWNER,
  loadReranker,
  readRerankerConfig,
  RerankerLoadError,
  type RerankerConfigFile,
} from './io/save';
export {
  NeuralReranker,
  MissingPassageError,
  modelFingerprint,
  topHits,
  type CandidateText,
  type NeuralRerankerOptions,
  type PassageLookup,
} from './inference/neural-reranker';
export {
  ENSEMBLE_FILE,
  RerankerEnsemble,
  loadRerankerFolder,
  saveRerankerEnsemble,
  writeEnsembleFile,
} from './inference/ensemble';
export { PassageEmbeddingCache, type PassageEmbedding } from './inference/embedding-cache';
export { RerankingRetriever, type RerankingRetrieverOptions } from './inference/pipeline';
export {
  accuracyFromRanks,
  kardEvalGroups,
  pairedDifference,
  rankOfTarget,
  rankingAccuracy,
  type EvalGroup,
  type GroupScorer,
  type PairedDifference,
  type RankingAccuracy,
} from './evaluation/metrics';
export { compareWithBm25, rerankerComparison, type RerankerComparison } from './evaluation/compare';
export { comparisonMarkdown } from './evaluation/report';
