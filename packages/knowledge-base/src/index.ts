export type { Passage } from './passage';
export type { PassageLookup } from './passage-lookup';
export { indexedText } from './passage';
export { CorpusFormatError, DuplicatePassageIdError, InputFileError, PassageStoreError } from './errors';
export { readLines } from './input/open-input';
export type { CorpusFormat } from './readers/formats';
export {
  PassageReader,
  readPassages,
  invalidUtf8Warning,
  type InvalidUtf8Stats,
  type ReadPassagesOptions,
  type ReadStats,
} from './readers/read-passages';
export {
  CorpusBlocks,
  factsId,
  type LineBlock,
  type LineBlockResult,
  type LineBlockSpec,
  type LineBlockStats,
  mergeBlockStats,
  parseLineBlock,
} from './readers/line-blocks';
export { PassageStore } from './store/passage-store';
export type { BuildStoreOptions } from './store/build-store';
export { readMediaWikiPages, type WikiPage } from './builders/mediawiki-dump';
export {
  WikipediaParagraphs,
  type WikipediaOptions,
  type WikipediaStats,
  wikitextParagraphs,
} from './builders/wikipedia';
export { type PubmedArticle, PubmedAbstracts, type PubmedStats, readPubmedArticles } from './builders/pubmed';
