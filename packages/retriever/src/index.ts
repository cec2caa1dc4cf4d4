export type { Hit, Retriever, Reranker } from './types';
export { Analyzer, tokenize, type AnalyzerOptions } from './analysis';
export {
  Bm25Index,
  Bm25SearchPool,
  BuildWorkerError,
  FlexsearchBm25,
  EmptyCorpusError,
  IndexFormatError,
  UnknownDocumentError,
  type Bm25BuildOptions,
  type Bm25Params,
  type Bm25SearchArrays,
  type Bm25SearchOptions,
  type FlexsearchBm25Options,
  type LoadBm25Options,
  type PassageSource,
  BM25_INDEX_VERSION,
  readBm25Manifest,
  type ParallelSearchOptions,
  type PoolSearchOptions,
  toShared,
  searchArraysFromCsr,
  PRUNE_MIN_DOCUMENTS,
} from './sparse';
export {
  TrecFormatError,
  readTopics,
  readRun,
  readQrels,
  formatRunLines,
  evaluateRun,
  type Topic,
  type Run,
  type Qrels,
  type Evaluation,
} from './trec';
export {
  DenseIndex,
  TransformersEmbedder,
  readVectorsFile,
  DimensionMismatchError,
  MissingDependencyError,
  VectorFormatError,
  type DenseIndexOptions,
  type Embedder,
} from './dense';
export { HybridRetriever, reciprocalRankFusion, normalizedScoreSum, type HybridRetrieverOptions } from './hybrid';
