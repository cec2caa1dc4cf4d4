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

/**
 * A `Bm25Index` from an index folder's manifest.json (parsed) and the bytes of its array files, keyed as in the
 * manifest's `files`: the same checks as `Bm25Index.load` (sizes, crc32, structure), each
 * failure an `IndexFormatError` naming `where` (e.g. the URL of the index folder).
 */
export async function bm25IndexFromBuffers(
  where: string,
  manifest: Bm25Manifest,
  buffers: Record<Bm25FileKey, Uint8Array>,
): Promise<Bm25Index> {
  // the checksums first, as Bm25Index.load checks them: a flipped byte is named as such, not as what it broke
  const problems = bm25ChecksumProblems(manifest, buffers);
  if (problems.length > 0) throw new IndexFormatError(where, problems[0]);
  return new Bm25Index(bm25DataFromBuffers(where, manifest, buffers));
}
