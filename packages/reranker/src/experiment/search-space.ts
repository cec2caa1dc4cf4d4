// KARD's reranker data from a corpus and (question, rationale) pairs, through @kard/cot-data's search-space
// builder and @kard/retriever's BM25.
import { indexedText, type Passage } from '@kard/knowledge-base';
import { rerankerRecord, type McQuestion, type RerankerRecord } from '@kard/cot-data';
import type { Bm25Index } from '@kard/retriever';
import type { Candidate, RerankerExample } from '../training/data';

/** Splits a cot-data reranker record (one union list with ranks) into KARD's two ranked lists with passage text. */
export function toRerankerExample(rec: RerankerRecord, passages: { get(id: string): Passage | undefined }): RerankerExample {
  const text = (id: string): string => {
    const p = passages.get(id);
    if (!p) throw new Error(`reranker record ${rec.id}: passage ${id} is not in the corpus`);
    return indexedText(p);
  };
  const list = (rank: 'rationaleRank' | 'questionRank'): Candidate[] =>
    rec.candidates
      .filter((c) => c[rank] !== undefined)
      .sort((a, b) => a[rank]! - b[rank]!)
      .map((c) => ({ id: c.id, text: text(c.id), score: c.score }));
  return { question: rec.question, fromRationale: list('rationaleRank'), fromQuestion: list('questionRank') };
}

/**
 * Fills each candidate's `questionScore` with BM25(question, passage) from `index`, the input a hybrid reranker
 * reads (at inference it is the first stage's hit score). Returns the same examples, changed in place.
 */
export function withQuestionScores(examples: RerankerExample[], index: Pick<Bm25Index, 'scoreDocuments'>): RerankerExample[] {
  for (const ex of examples) {
    const all = [...ex.fromRationale, ...ex.fromQuestion];
    const scores = index.scoreDocuments(ex.question, all.map((c) => c.id));
    all.forEach((c, i) => (c.questionScore = scores[i]));
  }
  return examples;
}

/** Builds search spaces (BM25 top-`k` for the rationale and for the question) for each pair. */
export async function buildSearchSpaces(
  pairs: Array<{ question: string; rationale: string }>,
  index: Bm25Index,
  passages: { get(id: string): Passage | undefined },
  k = 32,
  onProgress?: (done: number) => void,
): Promise<RerankerExample[]> {
  const out: RerankerExample[] = [];
  for (const [i, p] of pairs.entries()) {
    const q: McQuestion = { id: String(i), question: p.question, options: [], answer: '', split: 'train', meta: {} };
    out.push(toRerankerExample(await rerankerRecord(String(i), q, p.rationale, index, index, k), passages));
    onProgress?.(i + 1);
  }
  return out;
}
