export { Module, StateDictError, type LoadResult } from './module';
export { Linear, Conv1D, Embedding, LayerNorm, dropout, geluNew, gelu } from './layers';
