// The mean of several rerankers' scores as one reranker (loading and saving ensemble folders: ensemble.ts).
import type { Hit, Reranker } from '@kard/retriever';
import { NeuralReranker, topHits, type NeuralRerankerOptions } from './neural-reranker';

type Scored = { id: string; text: string; questionScore?: number };

export class RerankerEnsemble implements Reranker {
  constructor(readonly members: NeuralReranker[]) {
    if (members.length === 0) throw new RangeError('a reranker ensemble needs at least one member');
  }

  /** Loads each folder written by `saveReranker` (see NeuralReranker.load). */
  static async load(
    dirs: string[],
    opts: NeuralRerankerOptions & { baseModel?: string } = {},
  ): Promise<RerankerEnsemble> {
    return new RerankerEnsemble(await Promise.all(dirs.map((d) => NeuralReranker.load(d, opts))));
  }

  /** The members' mean score of each item, in input order. */
  score(query: string, items: Scored[]): number[] {
    const sum = new Array<number>(items.length).fill(0);
    for (const m of this.members) m.score(query, items).forEach((s, i) => (sum[i] += s));
    return sum.map((s) => s / this.members.length);
  }

  async rerank(query: string, candidates: Hit[], k = candidates.length): Promise<Hit[]> {
    if (candidates.length === 0 || k <= 0) return [];
    const items = await this.members[0].candidateTexts(candidates);
    return topHits(items, this.score(query, items), k);
  }
}
