// The reranker's training record: one (question, rationale) pair with its BM25 search space, as KARD builds it.
// Records hold passage ids and scores only (they are written to JSONL); rerankerExamples adds the passage text.
import { indexedText, type PassageLookup } from '@kard/knowledge-base';
import type { Candidate, RerankerExample } from '../training/data';
import { KardError } from '@kard/core';

/** A candidate passage of the search space, with BM25(rationale, passage). */
export interface RerankerCandidate {
  id: string;
  /** BM25 score of the passage for the rationale: the reranker's target. */
  score: number;
  /** 1-based rank in the rationale's BM25 top-k, when there. */
  rationaleRank?: number;
  /** 1-based rank in the question's BM25 top-k, when there. */
  questionRank?: number;
}

/** The reranker's training record for one (question, rationale) pair. */
export interface RerankerRecord {
  id: string;
  questionId: string;
  question: string;
  rationale: string;
  candidates: RerankerCandidate[];
}

/** A question and one teacher rationale for it, the input of rerankerRecord. */
export interface RationalePair {
  /** Record id (`{questionId}#{sample}` in KARD's data). */
  id: string;
  questionId: string;
  question: string;
  rationale: string;
}

/**
 * What a record needs of the first stage: BM25 search and BM25 of one query against given passages (Bm25Index fits).
 */
export interface SearchSpaceIndex {
  search(query: string, k: number): ReadonlyArray<{ id: string }> | Promise<ReadonlyArray<{ id: string }>>;
  scoreDocuments(query: string, ids: string[]): number[] | Promise<number[]>;
}

/**
 * The union of BM25 top-`k` for the rationale and for the question, each passage scored by BM25(rationale, passage).
 */
export async function rerankerRecord(pair: RationalePair, index: SearchSpaceIndex, k: number): Promise<RerankerRecord> {
  const { id, questionId, question, rationale } = pair;
  const [byRationale, byQuestion] = [await index.search(rationale, k), await index.search(question, k)];
  const candidates = new Map<string, RerankerCandidate>();
  byRationale.forEach((h, i) => candidates.set(h.id, { id: h.id, score: 0, rationaleRank: i + 1 }));
  byQuestion.forEach((h, i) => {
    const c = candidates.get(h.id);
    if (c) c.questionRank = i + 1;
    else candidates.set(h.id, { id: h.id, score: 0, questionRank: i + 1 });
  });
  const list = [...candidates.values()];
  const scores = await index.scoreDocuments(
    rationale,
    list.map((c) => c.id),
  );
  list.forEach((c, i) => (c.score = scores[i]));
  return { id, questionId, question, rationale, candidates: list };
}

/** A record names a passage the corpus lacks. */
export class RecordPassageError extends KardError {
  constructor(
    readonly recordId: string,
    readonly passageId: string,
  ) {
    super(`reranker record ${recordId}: passage ${passageId} is not in the corpus`);
    this.name = 'RecordPassageError';
  }
}

/**
 * Records as training (or held-out) examples: the rationale list and the question list, best first, with passage text.
 */
export function rerankerExamples(records: RerankerRecord[], passages: Pick<PassageLookup, 'get'>): RerankerExample[] {
  return records.map((rec) => {
    const text = (id: string): string => {
      const p = passages.get(id);
      if (!p) throw new RecordPassageError(rec.id, id);
      return indexedText(p);
    };
    const list = (rank: 'rationaleRank' | 'questionRank'): Candidate[] =>
      rec.candidates
        .filter((c) => c[rank] !== undefined)
        .sort((a, b) => a[rank]! - b[rank]!)
        .map((c) => ({ id: c.id, text: text(c.id), score: c.score }));
    return { question: rec.question, fromRationale: list('rationaleRank'), fromQuestion: list('questionRank') };
  });
}

/**
 * Fills each candidate's `questionScore` with BM25(question, passage) from `index`, the input a hybrid reranker
 * reads (at inference it is the first stage's hit score). Returns the same examples, changed in place.
 */
export function withQuestionScores(
  examples: RerankerExample[],
  index: { scoreDocuments(query: string, ids: string[]): number[] },
): RerankerExample[] {
  for (const ex of examples) {
    const all = [...ex.fromRationale, ...ex.fromQuestion];
    const scores = index.scoreDocuments(
      ex.question,
      all.map((c) => c.id),
    );
    all.forEach((c, i) => (c.questionScore = scores[i]));
  }
  return examples;
}
