/**
 * One retrievable unit of a knowledge base: a Wikipedia paragraph, a PubMed abstract, a corpus line.
 *
 * `contents` is kept when the source had it (Pyserini JSONL): BM25 indexes it verbatim, see {@link indexedText}.
 */
export interface Passage {
  id: string;
  title?: string;
  text: string;
  /** Raw Pyserini `contents`, when the source had one. */
  contents?: string;
}

/**
 * The text a sparse index sees for a passage: Pyserini's `contents` when present, else `title + "\n" + text`
 * (just `text` when there is no title), the rule Pyserini applies when it indexes BEIR-style corpora.
 */
export function indexedText(p: Passage): string {
  if (p.contents !== undefined) return p.contents;
  return p.title ? `${p.title}\n${p.text}` : p.text;
}
