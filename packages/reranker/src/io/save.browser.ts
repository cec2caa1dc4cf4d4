// What a browser build gets for save.ts (package.json "browser" maps it here): a page has no reranker folder to
// read or write; it puts a reranker together with rerankerFromFiles (@kard/reranker/browser).
const NODE_ONLY = 'reads a folder, which a browser has not: use rerankerFromFiles with the fetched files';

export function loadReranker(dir: string): never {
  throw new Error(`loadReranker(${JSON.stringify(dir)}) ${NODE_ONLY}`);
}

export function rerankerTokenizerDir(dir: string): never {
  throw new Error(`rerankerTokenizerDir(${JSON.stringify(dir)}) ${NODE_ONLY}`);
}
