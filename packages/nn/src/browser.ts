// @kard/nn in a browser (or a worker): modules, layers and safetensors from bytes, and the browser's backend
// choice. No Node built-in and no native addon (package.json "browser" swaps native-addon.ts for a stub).
export {
  initBrowserBackend,
  BROWSER_BACKEND_ORDER,
  type BrowserBackendName,
  type BrowserBackendInfo,
  type InitBrowserBackendOptions,
} from './backend/browser-backend';
export { SafetensorsError } from './safetensors/errors';
export { parseSafetensors, type NamedArray, type SafetensorsContents } from './safetensors/parse';
export * from './portable';
