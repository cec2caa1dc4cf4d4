// The passages each evaluation question gets, as the reference's inference gets them (Nardien/KARD,
// cache_retrieval.py and generate_predict.py): BM25 with the question and its options as the query, the reranker
// reordering BM25's top maxDoc, and the oracle (--ground_truth_doc) retrieving with the teacher's rationale.
import * as path from 'node:path';
import { attachRationales, importRationales, type McQuestion, type RationaleFormat } from '@kard/cot-data';
import { KardError } from '@kard/core';
import type { PassageLookup } from '@kard/knowledge-base';
import { loadRerankerFolder } from '@kard/reranker';
import { Bm25Index, type Hit } from '@kard/retriever';
import type { EvalMethod, KardConfig } from '../config/schema';
import { indexFolder } from '../stages/sources';

export interface RetrievalContext {
  cfg: KardConfig;
  runDir: string;
  passages: PassageLookup;
}

/**
 * The retrieval query of a question: `question-options` is the reference's "{question} A. {opt} B. {opt} ...", the
 * same template for every dataset (its StrategyQA rows carry yes/no as two endings, so they read "... A. yes B.
 * no", as ours do); `question` is the question alone.
 */
export function retrievalQuery(q: Pick<McQuestion, 'question' | 'options'>, mode: KardConfig['eval']['query']): string {
  if (mode === 'question') return q.question;
  return [q.question, ...q.options.map((o) => `${o.label}. ${o.text}`)].join(' ');
}

/** No rationale to retrieve with for some evaluation questions under kard-oracle. */
export class OracleRationaleError extends KardError {
  constructor(message: string) {
    super(message);
    this.name = 'OracleRationaleError';
  }
}

/**
 * The oracle's queries: each question's teacher rationale from eval.oracleRationales (the first one given for it),
 * else the gold facts its dataset carries (StrategyQA `facts` joined, which is what FLAN's StrategyQA rationale is;
 * OpenBookQA's `fact`). A question with neither is refused, naming how many and the first ids.
 */
export function oracleQueries(questions: McQuestion[], cfg: KardConfig): string[] {
  const file = cfg.eval.oracleRationales;
  const byId = new Map<string, string>();
  if (file) {
    const { rationales } = attachRationales(
      questions,
      importRationales(path.resolve(file), cfg.eval.oracleFormat as RationaleFormat),
    );
    for (const r of rationales) if (!byId.has(r.questionId)) byId.set(r.questionId, r.text);
  }
  const queries = questions.map((q) => {
    const given = byId.get(q.id);
    if (given) return given;
    const facts = q.meta.facts;
    if (Array.isArray(facts) && facts.length) return facts.join(' ');
    if (typeof q.meta.fact === 'string' && q.meta.fact.trim()) return q.meta.fact;
    return undefined;
  });
  const missing = questions.filter((_, i) => queries[i] === undefined).map((q) => q.id);
  if (missing.length)
    throw new OracleRationaleError(
      `kard-oracle needs a rationale for every evaluation question, and ${missing.length} of ${questions.length} ` +
        `have none (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}): ` +
        (file
          ? `${path.resolve(file)} does not cover them and their dataset carries no gold facts`
          : 'set eval.oracleRationales to the teacher rationales of the evaluation questions ' +
            '(their dataset carries no gold facts: StrategyQA facts, OpenBookQA fact)'),
    );
  return queries as string[];
}

/**
 * The passages each question gets under `method`: none (ft, rd), BM25's top nDocs for the query (kard-bm25), BM25's
 * top maxDoc reranked to nDocs (kard-reranker), or BM25's top nDocs for the teacher's rationale (kard-oracle, the
 * upper bound: it reads the answer's explanation at test time).
 */
export async function retrieveFor(
  method: EvalMethod,
  questions: McQuestion[],
  ctx: RetrievalContext,
): Promise<Hit[][]> {
  if (method === 'ft' || method === 'rd') return questions.map(() => []);
  const index = Bm25Index.load(indexFolder(ctx.cfg, ctx.runDir)).attachPassages(ctx.passages);
  const { nDocs, maxDoc, query } = ctx.cfg.eval;
  if (method === 'kard-oracle') return index.searchBatch(oracleQueries(questions, ctx.cfg), nDocs);
  const queries = questions.map((q) => retrievalQuery(q, query));
  if (method === 'kard-bm25') return index.searchBatch(queries, nDocs);
  const reranker = await loadRerankerFolder(path.join(ctx.runDir, 'reranker'), { passages: ctx.passages });
  const out: Hit[][] = [];
  // the reference's reranker scores the same query BM25 searched with (generate_predict.py: search_q)
  for (const q of queries) out.push(await reranker.rerank(q, index.search(q, Math.max(maxDoc, nDocs)), nDocs));
  return out;
}
