export { Analyzer, tokenize } from './analyzer';
export type { AnalyzerOptions, AnalyzerSettings } from './analyzer';
export { porterStem, PorterStemmer } from './porter-stemmer';
export { LUCENE_ENGLISH_STOP_WORDS } from './stopwords';
