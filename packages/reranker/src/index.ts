export * from './portable';
export { scratchBertShape, smallBertConfig } from './bert/config';
export { LoraAdapters, KARD_LORA, type LoraConfig } from './bert/lora';
export { loadBertEncoder } from './bert/checkpoint';
export { type ColbertOptions } from './colbert/model';
export { createRerankerModel, type RerankerModelOptions } from './colbert/create';
export { lateInteraction, lateInteractionAllPairs } from './colbert/late-interaction';
export { temperaturesAt } from './training/annealing';
export { type Candidate, type RerankerExample } from './training/data';
export {
  rerankerExamples,
  rerankerRecord,
  withQuestionScores,
  type RationalePair,
  type RerankerRecord,
} from './data/records';
export { kardCeLoss, kardKlLoss, type RerankerLoss } from './training/loss';
export { pretrainInverseCloze, type InverseClozeOptions } from './training/inverse-cloze';
export { saveMembers, trainMembers, type TrainedMember } from './training/members';
export {
  RerankerTrainer,
  KARD_TRAINING,
  type RerankerTrainerOptions,
  type RerankerTrainResult,
} from './training/trainer';
export { saveReranker, RERANKER_OWNER, loadReranker } from './io/save';
export { loadRerankerFolder, loadRerankerFolders, saveRerankerEnsemble, writeEnsembleFile } from './inference/ensemble';
export { RerankingRetriever, type RerankingRetrieverOptions } from './inference/pipeline';
export {
  accuracyFromRanks,
  kardEvalGroups,
  pairedDifference,
  rankingAccuracy,
  type RankingAccuracy,
} from './evaluation/metrics';
export { compareWithBm25, rerankerComparison, type RerankerComparison } from './evaluation/compare';
export { comparisonJson, comparisonMarkdown } from './evaluation/report';
