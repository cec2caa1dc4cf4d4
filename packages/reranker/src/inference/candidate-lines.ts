import { InputFormatError } from '@kard/core';
import type { Hit } from '@kard/retriever';

/**
 * Candidates as `kard-reranker rerank` reads them: JSON lines `{id, text, title?, score?}`, `score` the passage's
 * BM25 score for the query. A passage without one gets NaN, never 0, so a hybrid reranker (which needs it) refuses
 * it by id instead of ranking it as if BM25 had found nothing; other rerankers ignore it.
 */
export function parseCandidateLines(text: string, source = 'stdin'): Hit[] {
  const hits: Hit[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let p: { id?: unknown; title?: unknown; text?: unknown; score?: unknown };
    try {
      p = JSON.parse(line);
    } catch (err) {
      throw new InputFormatError(source, i + 1, (err as Error).message);
    }
    if (p === null || typeof p !== 'object' || p.id === undefined)
      throw new InputFormatError(source, i + 1, 'expected a JSON object {"id", "text", "title"?, "score"?}');
    if (p.score !== undefined && typeof p.score !== 'number')
      throw new InputFormatError(source, i + 1, `"score" must be a number, got ${JSON.stringify(p.score)}`);
    const id = String(p.id);
    hits.push({
      id,
      score: p.score ?? NaN,
      rank: hits.length + 1,
      passage: { id, title: p.title as string | undefined, text: p.text as string },
    });
  });
  return hits;
}
