export type { Passage } from './passage';
export { indexedText } from './passage';
