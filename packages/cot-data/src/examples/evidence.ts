import type { McQuestion } from '../question';
import type { KardExample } from './kard-examples';

export interface EvidenceHits {
  /** Examples whose question lists gold evidence. */
  examples: number;
  /** Of those, examples whose first knowledge passage is one of the gold evidence paragraphs. */
  hits: number;
  share: number;
}

/**
 * How often the top retrieved passage is gold evidence (`meta.evidenceIds`, as StrategyQA gives): KARD's
 * premise is that the rationale finds it more often than the question does.
 */
export function evidenceHits(questions: McQuestion[], examples: KardExample[]): EvidenceHits {
  const gold = new Map(questions.map((q) => [q.id, new Set((q.meta.evidenceIds as string[] | undefined) ?? [])]));
  let n = 0;
  let hits = 0;
  for (const e of examples) {
    const ids = gold.get(e.questionId);
    if (!ids || ids.size === 0) continue;
    n++;
    if (e.knowledgeIds.length > 0 && ids.has(e.knowledgeIds[0])) hits++;
  }
  return { examples: n, hits, share: n ? hits / n : 0 };
}
