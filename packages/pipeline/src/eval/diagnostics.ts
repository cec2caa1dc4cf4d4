// What a small from-scratch student can show besides accuracy: the reranker's gain over BM25 at picking the
// rationale's best passage, and the student's loss on rationale tokens with and without retrieved knowledge.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KardExample } from '@kard/cot-data';
import type { PassageLookup } from '@kard/knowledge-base';
import {
  compareWithBm25,
  loadRerankerFolder,
  rerankerExamples,
  withQuestionScores,
  type RankingAccuracy,
  type RerankerRecord,
} from '@kard/reranker';
import { Bm25Index } from '@kard/retriever';
import type { KardConfig } from '../config/schema';
import { readJsonl } from '@kard/core';
import {
  encodePrompt,
  encodeTarget,
  loadStudent,
  scoreExamples,
  type ScoredExample,
  type StudentModel,
  type Tokenizer,
} from '@kard/student';

export interface RerankerMetrics {
  /** Held-out (validation) questions of the reranker data; the target is BM25's top-1 for the rationale. */
  bm25: RankingAccuracy;
  reranker: RankingAccuracy;
}

/**
 * KARD's reranker evaluation on the validation split: top-1/3/5 of the target among 8, BM25(question) vs the reranker.
 */
export async function rerankerMetrics(
  runDir: string,
  passages: PassageLookup,
  seed: number,
  indexDir = path.join(runDir, 'index'),
): Promise<RerankerMetrics | undefined> {
  const file = path.join(runDir, 'data', 'kard', 'reranker.validation.jsonl');
  if (!fs.existsSync(file) || !fs.existsSync(path.join(runDir, 'reranker'))) return undefined;
  const index = Bm25Index.load(indexDir);
  // questionScore = BM25(question, d): what a hybrid reranker reads (at inference, the first stage's hit score).
  const examples = withQuestionScores(rerankerExamples(readJsonl<RerankerRecord>(file), passages), index);
  const reranker = await loadRerankerFolder(path.join(runDir, 'reranker'), { passages });
  const { bm25, reranker: reranked } = await compareWithBm25(examples, reranker, seed);
  return { bm25, reranker: reranked };
}

/** Pairs whose loss counts only the rationale tokens (the target before its "Answer:" line). */
export function rationalePairs(
  model: StudentModel,
  tok: Tokenizer,
  examples: KardExample[],
  maxInput: number,
  maxTarget: number,
): ScoredExample[] {
  return examples.map((e) => {
    const target = encodeTarget(model, tok, e.target, maxTarget);
    const rationale = e.target.split(/\nAnswer:/)[0];
    const n = Math.min(target.length, encodeTarget(model, tok, rationale).length - 1);
    return {
      id: e.id,
      inputIds: encodePrompt(model, tok, e.input, maxInput),
      targetIds: target,
      lossMask: target.map((_, i) => i < n),
    };
  });
}

/** Mean per-token NLL over the counted target tokens of all examples (teacher forcing). */
function meanTokenLoss(model: StudentModel, examples: ScoredExample[]): number {
  const scores = scoreExamples(model, examples, 16);
  const sum = scores.reduce((a, s) => a + s.totalLoss, 0);
  const tokens = scores.reduce((n, s) => n + s.tokens, 0);
  return tokens ? sum / tokens : NaN;
}

export interface RationaleLoss {
  /** The KARD student reading retrieved knowledge (its training format). */
  kardWithKnowledge?: number;
  /** The same student, the same questions, the Knowledge line left out. */
  kardWithoutKnowledge?: number;
  /** The reasoning-distillation student, trained and evaluated without knowledge. */
  rdWithoutKnowledge?: number;
  examples: number;
}

/** Mean NLL per rationale token on the validation split (the same questions for every variant). */
export async function rationaleLoss(cfg: KardConfig, runDir: string): Promise<RationaleLoss | undefined> {
  const kardFile = path.join(runDir, 'data', 'kard', 'validation.jsonl');
  const rdFile = path.join(runDir, 'data', 'rd', 'validation.jsonl');
  if (!fs.existsSync(kardFile) || !fs.existsSync(rdFile)) return undefined;
  const kard = readJsonl<KardExample>(kardFile);
  const rdById = new Map(readJsonl<KardExample>(rdFile).map((e) => [e.id, e]));
  const both = kard.filter((e) => rdById.has(e.id));
  const rd = both.map((e) => rdById.get(e.id)!);
  const { maxInputTokens: mi, maxTargetTokens: mt } = cfg.student;
  const out: RationaleLoss = { examples: both.length };
  if (!both.length) return out;
  const kardDir = path.join(runDir, 'student', 'kard');
  if (fs.existsSync(kardDir)) {
    const { model, tokenizer } = await loadStudent(kardDir);
    out.kardWithKnowledge = meanTokenLoss(model, rationalePairs(model, tokenizer, both, mi, mt));
    out.kardWithoutKnowledge = meanTokenLoss(model, rationalePairs(model, tokenizer, rd, mi, mt));
    model.dispose();
  }
  const rdDir = path.join(runDir, 'student', 'rd');
  if (fs.existsSync(rdDir)) {
    const { model, tokenizer } = await loadStudent(rdDir);
    out.rdWithoutKnowledge = meanTokenLoss(model, rationalePairs(model, tokenizer, rd, mi, mt));
    model.dispose();
  }
  return out;
}
