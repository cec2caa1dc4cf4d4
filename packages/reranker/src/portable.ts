// The part of @kard/reranker that Node (index.ts) and a browser (browser.ts) export alike, listed once. Browser-safe
// modules only: browser.ts re-exports this file, so nothing here may reach a Node built-in (see browser.ts).
export { type BertConfig, BertConfigError } from './bert/config';
export { BertEncoder } from './bert/model';
export { CheckpointError } from './bert/weights';
export { BertTokenizer } from './tokenizer';
export { ColbertModel } from './colbert/model';
export { RerankerLoadError } from './io/from-weights';
export {
  NeuralReranker,
  MissingBm25ScoreError,
  MissingPassageError,
  type NeuralRerankerOptions,
} from './inference/neural-reranker';
export { RerankerEnsemble } from './inference/ensemble-reranker';
