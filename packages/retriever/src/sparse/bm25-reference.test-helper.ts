// Test-only: an independent BM25 reference for the tests beside it.

/**
 * Textbook Okapi BM25 (Lucene's variant), by brute force over documents given as term lists: every document
 * is scored against every query token, with tf and df counted here, not read from any index.
 */
export function bruteForceBm25(docs: { id: string; terms: string[] }[], k1 = 0.9, b = 0.4) {
  const nonEmpty = docs.filter((d) => d.terms.length > 0);
  const N = nonEmpty.length;
  const avgdl = nonEmpty.reduce((s, d) => s + d.terms.length, 0) / N;
  const tfs = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    return tf;
  });
  const df = new Map<string, number>();
  for (const tf of tfs) for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const score = (query: string[], i: number) => {
    let s = 0;
    const dl = docs[i].terms.length;
    for (const q of query) {
      const tf = tfs[i].get(q) ?? 0;
      if (tf === 0) continue;
      const n = df.get(q)!;
      const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
      s += (idf * tf) / (tf + k1 * (1 - b + (b * dl) / avgdl));
    }
    return s;
  };
  const top = (query: string[], k: number) => {
    // Every document is scored; the k best are kept by insertion into a sorted list.
    const better = (x: { id: string; score: number }, y: { id: string; score: number }) =>
      x.score > y.score || (x.score === y.score && x.id < y.id);
    const best: { id: string; score: number }[] = [];
    for (let i = 0; i < docs.length; i++) {
      const s = score(query, i);
      if (s === 0) continue;
      const hit = { id: docs[i].id, score: s };
      if (best.length === k && !better(hit, best[k - 1])) continue;
      let at = best.length;
      while (at > 0 && better(hit, best[at - 1])) at--;
      best.splice(at, 0, hit);
      if (best.length > k) best.pop();
    }
    return best;
  };
  return { score, top };
}
