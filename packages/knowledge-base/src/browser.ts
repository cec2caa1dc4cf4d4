// @kard/knowledge-base in a browser: the passage type and the errors (reading corpora and stores needs files).
export type { Passage } from './passage';
export type { PassageLookup } from './passage-lookup';
export { indexedText } from './passage';
export { CorpusFormatError, DuplicatePassageIdError, InputFileError, PassageStoreError } from './errors';
