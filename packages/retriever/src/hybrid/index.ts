export { HybridRetriever } from './hybrid-retriever';
export type { HybridRetrieverOptions, WeightedRetriever } from './hybrid-retriever';
export { normalizedScoreSum, reciprocalRankFusion } from './fusion';
export type { RrfOptions, ScoreNormalization, ScoreSumOptions } from './fusion';
