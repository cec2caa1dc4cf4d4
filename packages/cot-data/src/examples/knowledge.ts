import { type Passage, readPassages } from '@kard/knowledge-base';
import { Bm25Index, type Bm25BuildOptions } from '@kard/retriever';

export interface KnowledgeOptions {
  /** Passage files (any format `@kard/knowledge-base` reads: {id,title,text} JSONL, Pyserini, BEIR, DPR TSV). */
  corpus: string[];
  /** BM25 parameters; Pyserini's defaults k1 = 0.9, b = 0.4. */
  k1?: number;
  b?: number;
  onProgress?: (passages: number) => void;
}

export interface Knowledge {
  index: Bm25Index;
  passages: Map<string, Passage>;
}

/** Reads the corpus files into memory and builds a BM25 index over them (hits carry their passage). */
export async function openKnowledge(opts: KnowledgeOptions): Promise<Knowledge> {
  const passages = new Map<string, Passage>();
  for (const file of opts.corpus) {
    for await (const p of readPassages(file)) passages.set(p.id, p);
  }
  const build: Bm25BuildOptions = { onProgress: opts.onProgress };
  if (opts.k1 !== undefined) build.k1 = opts.k1;
  if (opts.b !== undefined) build.b = opts.b;
  const index = await Bm25Index.build(passages.values(), build);
  index.attachPassages(passages);
  return { index, passages };
}
