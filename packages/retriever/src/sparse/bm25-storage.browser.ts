// What a browser build gets for bm25-storage.ts (package.json "browser" maps it here): there are no files to read or
// write, so `Bm25Index.load` and `save` say what to use instead, and no Node built-in enters the bundle.
import type { Bm25Data } from './bm25-data';

export interface LoadBm25Options {
  onWarning?: (message: string) => void;
}

const NODE_ONLY =
  'reads and writes index folders, which a browser has not: build the index with ' +
  'bm25IndexFromBuffers (@kard/retriever/browser) from the fetched manifest and arrays';

export function loadBm25Data(dir: string): Bm25Data {
  throw new Error(`Bm25Index.load(${JSON.stringify(dir)}) ${NODE_ONLY}`);
}

export function saveBm25Data(_d: Bm25Data, dir: string): Promise<void> {
  return Promise.reject(new Error(`Bm25Index.save(${JSON.stringify(dir)}) ${NODE_ONLY}`));
}
