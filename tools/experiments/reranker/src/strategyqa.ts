// KARD's reranker data on the shipped StrategyQA files: FLAN rationales, the Wikipedia paragraphs indexed with BM25,
// and each pair's search space built by @kard/reranker's rerankerRecord.
import * as path from 'node:path';
import { readFlanCotRows } from '@kard/cot-data';
import { readPassages, type Passage } from '@kard/knowledge-base';
import { rerankerExamples, rerankerRecord, withQuestionScores, type RerankerExample } from '@kard/reranker';
import { Bm25Index } from '@kard/retriever';

export interface StrategyQaData {
  index: Bm25Index;
  passages: Map<string, Passage>;
  train: RerankerExample[];
  heldOut: RerankerExample[];
  /** Training-only questions from other datasets (`extraTrain`); never held out, also not in cross-validation. */
  extraTrain: RerankerExample[];
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
    const record = await rerankerRecord(
      { id: String(i), questionId: String(i), question: p.question, rationale: p.rationale },
      index,
      k,
    );
    out.push(...rerankerExamples([record], passages));
    onProgress?.(i + 1);
  }
  return out;
}

/**
 * KARD's reranker data on the shipped StrategyQA files: the Wikipedia paragraphs indexed with BM25, a search space per
 * FLAN rationale, and a split taken from the end (KARD's split_set). Held-out rationales only define the targets.
 */
export async function loadStrategyQa(opts: {
  datasetsDir: string;
  limit?: number;
  evalFraction: number;
  extraTrain?: string[];
}): Promise<StrategyQaData> {
  const list: Passage[] = [];
  for await (const p of readPassages(path.join(opts.datasetsDir, 'wikipedia', 'strategyqa_paragraphs.jsonl')))
    list.push(p);
  const passages = new Map(list.map((p) => [p.id, p]));
  const index = await Bm25Index.build(list);
  let rows = readFlanCotRows(path.join(opts.datasetsDir, 'flan-cot', 'strategyqa_train.tsv'));
  if (opts.limit) rows = rows.slice(0, opts.limit);
  const examples = withQuestionScores(await buildSearchSpaces(rows, index, passages, 32), index);
  const nTrain = Math.floor((1 - opts.evalFraction) * examples.length);
  const extra: RerankerExample[] = [];
  for (const file of opts.extraTrain ?? []) {
    const more = readFlanCotRows(file).map((r) => ({ ...r, question: quotedClaim(r.question) }));
    extra.push(...withQuestionScores(await buildSearchSpaces(more, index, passages, 32), index));
  }
  return { index, passages, train: examples.slice(0, nTrain), heldOut: examples.slice(nTrain), extraTrain: extra };
}

/**
 * CREAK-style questions wrap a quoted claim in boilerplate ("Is the following a factual statement? \"...\""): the
 * claim alone is the query (the boilerplate's words would match passages about claims and statements).
 */
export function quotedClaim(question: string): string {
  const m = /"([^"]{8,})"/.exec(question);
  return m ? m[1] : question;
}
