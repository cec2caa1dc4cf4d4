import type { Passage, PassageLookup } from '@kard/knowledge-base';
import type { McQuestion } from '../question';
import { stripFinalAnswer } from '../teacher/answer';
import type { VerifiedRationale } from '../teacher/verify';
import { fitInput, type TokenCounter } from './budget';
import { formatInput, formatPassage, formatTarget, type PromptMode } from './prompt';

/** What the builder needs of a retriever: `@kard/retriever`'s Bm25Index fits, and so does any test double. */
export interface SearchLike {
  search(
    query: string,
    k: number,
  ):
    | Array<{ id: string; score: number; passage?: Passage }>
    | Promise<Array<{ id: string; score: number; passage?: Passage }>>;
}

/** BM25 of one query against given documents (Bm25Index.scoreDocuments): the reranker's teacher signal. */
export interface ScorerLike {
  scoreDocuments(query: string, ids: string[]): number[] | Promise<number[]>;
}

/** One training example for the student. */
export interface KardExample {
  /** `{questionId}#{sample}` (`{questionId}` for plain fine-tuning). */
  id: string;
  questionId: string;
  input: string;
  target: string;
  answer: string;
  mode: PromptMode;
  /** Ids of the passages in the Knowledge line, best first (before any cut). */
  knowledgeIds: string[];
  inputTokens?: number;
  truncated?: boolean;
  overBudget?: boolean;
}

/** A question and one kept rationale for it: what the reranker's training record is built from. */
export interface RationalePair {
  /** `{questionId}#{sample}`, the id of the matching KardExample. */
  id: string;
  questionId: string;
  question: string;
  rationale: string;
}

/**
 * Builds the reranker's training record of one pair from the retriever (@kard/reranker's `rerankerRecord` fits):
 * the reranker owns its record format, this package only hands it the pairs in order.
 */
export type RerankerRecordBuilder = (
  pair: RationalePair,
  retriever: SearchLike & ScorerLike,
  k: number,
) => Promise<RerankerRecordLike>;

/** What this package needs of a reranker record: its question, to split records by question like the examples. */
export interface RerankerRecordLike {
  questionId: string;
}

export interface BuildExamplesOptions {
  mode?: PromptMode;
  instruction: string;
  /** Required for `kard`. */
  retriever?: SearchLike;
  /** Passage text when hits carry none: a `PassageStore`, or anything with its `get` (a Map). */
  passages?: Pick<PassageLookup, 'get'>;
  /** Passages in the Knowledge line (default 1; KARD used up to 10 for OBQA). */
  nKnowledge?: number;
  /** What retrieves the knowledge: the rationale (KARD's training, default) or the question. */
  query?: 'rationale' | 'question';
  /** When given, called once per kept rationale, in order; its results are `BuiltExamples.reranker`. */
  rerankerRecord?: (pair: RationalePair) => Promise<RerankerRecordLike>;
  counter?: TokenCounter;
  maxInputTokens?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Called with each chunk of `prefetchChunk` pairs before their examples are built, so the retriever can answer the
   * chunk's queries in one batch (`PrefetchedSearch.prefetch`).
   */
  prefetch?: (pairs: RationalePair[]) => Promise<void>;
  /** Pairs per `prefetch` call (default 4096): bounds the hits held at once. */
  prefetchChunk?: number;
}

export interface BuiltExamples {
  examples: KardExample[];
  /** The reranker's records (`rerankerRecord`'s results), one per example, in the same order. */
  reranker: RerankerRecordLike[];
}

/**
 * KARD's training examples: for each kept rationale, the question with `nKnowledge` passages retrieved by the
 * rationale (or the question) as input, and the rationale plus answer as target; with `rerankerRecord`, also the
 * reranker's candidates. `rd` and `ft` need no retriever; `ft` makes one example per question.
 */
export async function buildExamples(
  questions: McQuestion[],
  rationales: VerifiedRationale[],
  opts: BuildExamplesOptions,
): Promise<BuiltExamples> {
  const mode = opts.mode ?? 'kard';
  const byId = new Map(questions.map((q) => [q.id, q]));
  const examples: KardExample[] = [];
  const reranker: RerankerRecordLike[] = [];
  const fit = (q: McQuestion, passages: Passage[]) => {
    if (!opts.counter) return { input: formatInput(opts.instruction, q, mode, passages.map(formatPassage).join(' ')) };
    const f = fitInput(opts.instruction, q, mode, passages, opts.counter, opts.maxInputTokens ?? 512);
    return { input: f.input, inputTokens: f.tokens, truncated: f.truncated, overBudget: f.overBudget };
  };

  if (mode === 'ft') {
    questions.forEach((q, i) => {
      examples.push({
        id: q.id,
        questionId: q.id,
        ...fit(q, []),
        target: formatTarget('ft', q.answer),
        answer: q.answer,
        mode,
        knowledgeIds: [],
      });
      opts.onProgress?.(i + 1, questions.length);
    });
    return { examples, reranker };
  }
  if (mode === 'kard' && !opts.retriever) throw new Error('buildExamples: mode "kard" needs a retriever');

  const pairOf = (r: VerifiedRationale): RationalePair & { q: McQuestion } => {
    const q = byId.get(r.questionId);
    if (!q) throw new Error(`buildExamples: rationale of unknown question ${r.questionId}`);
    return {
      id: `${q.id}#${r.sample}`,
      questionId: q.id,
      question: q.question,
      rationale: stripFinalAnswer(r.text),
      q,
    };
  };
  const chunk = opts.prefetch ? (opts.prefetchChunk ?? 4096) : rationales.length;
  let done = 0;
  for (let from = 0; from < rationales.length; from += chunk) {
    const pairs = rationales.slice(from, from + chunk).map(pairOf);
    await opts.prefetch?.(pairs.map(({ q: _q, ...pair }) => pair));
    for (const pair of pairs) await buildOne(pair);
  }
  return { examples, reranker };

  async function buildOne({ q, id, rationale }: RationalePair & { q: McQuestion }): Promise<void> {
    let knowledgeIds: string[] = [];
    let passages: Passage[] = [];
    if (mode === 'kard') {
      const hits = await opts.retriever!.search(
        opts.query === 'question' ? q.question : rationale,
        opts.nKnowledge ?? 1,
      );
      knowledgeIds = hits.map((h) => h.id);
      passages = hits.map((h) => h.passage ?? opts.passages?.get(h.id) ?? missing(h.id));
    }
    examples.push({
      id,
      questionId: q.id,
      ...fit(q, passages),
      target: formatTarget(mode, q.answer, rationale),
      answer: q.answer,
      mode,
      knowledgeIds,
    });
    if (opts.rerankerRecord)
      reranker.push(await opts.rerankerRecord({ id, questionId: q.id, question: q.question, rationale }));
    opts.onProgress?.(++done, rationales.length);
  }
}

function missing(id: string): never {
  throw new Error(`buildExamples: no text for passage ${id} (the hit has none and no passage lookup was given)`);
}
