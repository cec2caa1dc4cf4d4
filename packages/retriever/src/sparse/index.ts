export { Bm25Builder, type Bm25BuildOptions } from './bm25-builder';
export { type Bm25Params, type CorpusFileInfo, DEFAULT_BM25_PARAMS } from './bm25-data';
export { BLOCK_SIZE, type Bm25SearchArrays, searchArraysFromCsr } from './bm25-blocks';
export {
  Bm25Index,
  type Bm25SearchOptions,
  type PassageSource,
  PRUNE_MIN_DOCUMENTS,
  type TermExplanation,
} from './bm25-index';
export { FlexsearchBm25, type FlexsearchBm25Options } from './flexsearch-search';
export {
  BM25_INDEX_FORMAT,
  BM25_INDEX_OWNER,
  BM25_INDEX_VERSION,
  type Bm25CheckReport,
  type Bm25FileCheck,
  type Bm25Manifest,
  checkBm25Index,
  type LoadBm25Options,
  readBm25Manifest,
} from './bm25-storage';
export { EmptyCorpusError, IndexFormatError, UnknownDocumentError } from './errors';
export { BuildWorkerError, type FileBuildOptions } from './parallel-build';
export { Bm25SearchPool, type ParallelSearchOptions, type PoolSearchOptions, toShared } from './parallel-search';
