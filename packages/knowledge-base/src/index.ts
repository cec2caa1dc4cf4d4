export type { Passage } from './passage';
export type { PassageLookup } from './passage-lookup';
export { indexedText } from './passage';
export { CorpusFormatError, DuplicatePassageIdError, InputFileError, PassageStoreError } from './errors';
export {
  type Compression,
  detectCompression,
  openInput,
  type OpenedInput,
  readLines,
  type ReadLinesOptions,
} from './input/open-input';
export type { CorpusFormat } from './readers/formats';
export {
  MAX_SKIPPED_LINES,
  PassageReader,
  readPassages,
  type InvalidUtf8Stats,
  invalidUtf8Warning,
  type ReadPassagesOptions,
  type ReadStats,
} from './readers/read-passages';
export { PassageStore } from './store/passage-store';
export type { BuildStoreOptions } from './store/build-store';
export { STORE_VERSION, type StoreManifest } from './store/layout';
export { writePassagesJsonl, type WriteJsonlOptions } from './write-jsonl';
export { readMediaWikiPages, type WikiPage } from './builders/mediawiki-dump';
export {
  paragraphId,
  WikipediaParagraphs,
  type WikipediaOptions,
  type WikipediaStats,
  wikitextParagraphs,
} from './builders/wikipedia';
export { type PubmedArticle, PubmedAbstracts, type PubmedStats, readPubmedArticles } from './builders/pubmed';
