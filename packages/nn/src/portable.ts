// The part of @kard/nn that Node (index.ts) and a browser (browser.ts) export alike, listed once. Browser-safe
// modules only: browser.ts re-exports this file, so nothing here may reach a Node built-in or the native addon.
export {
  Module,
  StateDictError,
  Linear,
  Conv1D,
  Embedding,
  LayerNorm,
  geluNew,
  gelu,
  dropout,
  dropoutMask,
} from './module';
export { crossEntropy, IGNORE_INDEX } from './losses';
export { rmsNorm } from './backend/fused-ops';
