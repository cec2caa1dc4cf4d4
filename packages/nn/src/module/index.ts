export { Module, StateDictError, type LoadResult } from './module';
export { Linear, Conv1D, Embedding, LayerNorm, geluNew, gelu } from './layers';
export { dropout, dropoutMask } from './dropout';
