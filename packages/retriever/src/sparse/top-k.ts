/**
 * Keeps the k best documents seen: higher score first, equal scores by smaller id rank (id ascending).
 * A binary min-heap whose root is the current worst, so most candidates are rejected with one compare.
 */
export class TopK {
  readonly docs: Uint32Array;
  readonly scores: Float64Array;
  size = 0;

  constructor(
    readonly k: number,
    private readonly rank: Uint32Array,
  ) {
    this.docs = new Uint32Array(k);
    this.scores = new Float64Array(k);
  }

  /** True when (sa, a) ranks below (sb, b). */
  private worse(sa: number, a: number, sb: number, b: number): boolean {
    return sa < sb || (sa === sb && this.rank[a] > this.rank[b]);
  }

  offer(doc: number, score: number): void {
    const { docs, scores } = this;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, doc, scores[parent], docs[parent])) break;
        docs[i] = docs[parent];
        scores[i] = scores[parent];
        i = parent;
      }
      docs[i] = doc;
      scores[i] = score;
      return;
    }
    if (score < scores[0] || !this.worse(scores[0], docs[0], score, doc)) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.worse(scores[r], docs[r], scores[l], docs[l]) ? r : l;
      if (!this.worse(scores[c], docs[c], score, doc)) break;
      docs[i] = docs[c];
      scores[i] = scores[c];
      i = c;
    }
    docs[i] = doc;
    scores[i] = score;
  }

  /** The kept documents, best first. */
  sorted(): { docs: number[]; scores: number[] } {
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => (this.worse(this.scores[a], this.docs[a], this.scores[b], this.docs[b]) ? 1 : -1));
    return { docs: order.map((i) => this.docs[i]), scores: order.map((i) => this.scores[i]) };
  }
}
