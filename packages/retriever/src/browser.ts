// @kard/retriever in a browser (or a worker): BM25 search over an index whose files were fetched rather than read.
// Nothing here imports a Node built-in; the app's esbuild build fails if anything in this graph does.
import { Bm25Index } from './sparse/bm25-index';
import { bm25ChecksumProblems, bm25DataFromBuffers, type Bm25FileKey, type Bm25Manifest } from './sparse/bm25-format';
import { IndexFormatError } from './sparse/errors';

export type { Hit, Retriever, Reranker } from './types';
export { Analyzer, tokenize, type AnalyzerOptions } from './analysis';
export { Bm25Index, type PassageSource, type TermExplanation } from './sparse/bm25-index';
export type { Bm25Params } from './sparse/bm25-data';
export { EmptyCorpusError, IndexFormatError, UnknownDocumentError } from './sparse/errors';
export {
  BM25_FILE_KEYS,
  BM25_INDEX_FORMAT,
  BM25_INDEX_VERSION,
  bm25ChecksumProblems,
  bm25DataFromBuffers,
  type Bm25FileKey,
  type Bm25Manifest,
} from './sparse/bm25-format';

/** sha256 in hex through WebCrypto (browsers, workers, Node ≥ 20). */
export async function webCryptoSha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A `Bm25Index` from an index folder's manifest.json (parsed) and the bytes of its array files, keyed as in the
 * manifest's `files`: the same checks as `Bm25Index.load` (sizes, sha256 through WebCrypto, structure), each
 * failure an `IndexFormatError` naming `where` (e.g. the URL of the index folder).
 */
export async function bm25IndexFromBuffers(
  where: string,
  manifest: Bm25Manifest,
  buffers: Record<Bm25FileKey, Uint8Array>,
): Promise<Bm25Index> {
  // the checksums first, as Bm25Index.load checks them: a flipped byte is named as such, not as what it broke
  const problems = await bm25ChecksumProblems(manifest, buffers, webCryptoSha256);
  if (problems.length > 0) throw new IndexFormatError(where, problems[0]);
  return new Bm25Index(bm25DataFromBuffers(where, manifest, buffers));
}
