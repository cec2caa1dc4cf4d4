// Beam search with Hugging Face's BeamSearchScorer semantics (2 * numBeams candidates, EOS hypotheses only from
// the top numBeams ranks, length-normalised scores over generated tokens incl. EOS, the early_stopping rules).
import type { Decoding } from '../model';
import { logSoftmax, type GeneratedSequence } from './options';
import { bannedNgramTokens } from './ngram';

class BeamHypotheses {
  beams: Array<{ score: number; tokens: number[]; eos: boolean }> = [];
  worst = 1e9;
  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
    private readonly earlyStopping: boolean | 'never',
    private readonly maxNew: number,
  ) {}

  add(tokens: number[], sumLogprobs: number, generatedLen: number, eos: boolean): void {
    const score = sumLogprobs / generatedLen ** this.lengthPenalty;
    if (this.beams.length < this.numBeams || score > this.worst) {
      this.beams.push({ score, tokens, eos });
      if (this.beams.length > this.numBeams) {
        const sorted = this.beams.map((b, i) => [b.score, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        this.beams.splice(sorted[0][1], 1);
        this.worst = sorted[1][0];
      } else {
        this.worst = Math.min(score, this.worst);
      }
    }
  }

  isDone(bestSumLogprobs: number, generatedLen: number): boolean {
    if (this.beams.length < this.numBeams) return false;
    if (this.earlyStopping === true) return true;
    const len = this.earlyStopping === 'never' && this.lengthPenalty > 0 ? this.maxNew : generatedLen;
    return this.worst >= bestSumLogprobs / len ** this.lengthPenalty;
  }
}

export function beamSearch(
  dec: Decoding,
  batch: number,
  vocab: number,
  o: {
    numBeams: number;
    maxNewTokens: number;
    lengthPenalty: number;
    earlyStopping: boolean | 'never';
    numReturnSequences: number;
    eosTokenId: number;
    padTokenId: number;
    noRepeatNgramSize?: number;
    prefix?: (row: number) => number[];
  },
): GeneratedSequence[][] {
  const nb = o.numBeams;
  const hyps = Array.from(
    { length: batch },
    () => new BeamHypotheses(nb, o.lengthPenalty, o.earlyStopping, o.maxNewTokens),
  );
  const done = new Array<boolean>(batch).fill(false);
  let scores: number[] = Array.from({ length: batch * nb }, (_, i) => (i % nb === 0 ? 0 : -1e9));
  let seqs: number[][] = Array.from({ length: batch * nb }, () => []);
  let feed: number[] | null = null;
  for (let step = 0; step < o.maxNewTokens; step++) {
    const logits = dec.next(feed);
    const rows: number[] = [];
    const nextTokens: number[] = [];
    const nextScores: number[] = [];
    for (let b = 0; b < batch; b++) {
      if (done[b]) {
        for (let k = 0; k < nb; k++) {
          rows.push(b * nb + k);
          nextTokens.push(o.padTokenId);
          nextScores.push(0);
        }
        continue;
      }
      const cand: Array<[number, number, number]> = []; // score, beam, token
      for (let k = 0; k < nb; k++) {
        const lp = logSoftmax(logits, (b * nb + k) * vocab, vocab);
        // HF bans on the log-probabilities (no renormalisation), as its beam search applies processors after
        // log_softmax.
        if (o.noRepeatNgramSize)
          for (const t of bannedNgramTokens(
            [...(o.prefix?.(b * nb + k) ?? []), ...seqs[b * nb + k]],
            o.noRepeatNgramSize,
          ))
            lp[t] = -Infinity;
        for (let t = 0; t < vocab; t++) cand.push([lp[t] + scores[b * nb + k], k, t]);
      }
      cand.sort((x, y) => y[0] - x[0] || x[1] * vocab + x[2] - (y[1] * vocab + y[2]));
      const top = cand.slice(0, 2 * nb);
      let filled = 0;
      for (const [rank, [s, k, t]] of top.entries()) {
        if (t === o.eosTokenId) {
          if (rank >= nb) continue;
          hyps[b].add(seqs[b * nb + k], s, step + 1, true);
        } else {
          rows.push(b * nb + k);
          nextTokens.push(t);
          nextScores.push(s);
          filled++;
        }
        if (filled === nb) break;
      }
      if (filled < nb)
        throw new Error(`beam search: fewer than ${nb} non-EOS candidates (vocabulary too small for numBeams)`);
      done[b] = hyps[b].isDone(top[0][0], step + 1);
    }
    seqs = rows.map((r, i) => [...seqs[r], nextTokens[i]]);
    scores = nextScores;
    if (done.every(Boolean)) break;
    dec.select(rows);
    feed = nextTokens;
  }
  return hyps.map((h, b) => {
    if (!done[b])
      for (let k = 0; k < nb; k++) h.add(seqs[b * nb + k], scores[b * nb + k], seqs[b * nb + k].length, false);
    const sorted = [...h.beams].sort((x, y) => x.score - y.score);
    const out: GeneratedSequence[] = [];
    for (let j = 0; j < o.numReturnSequences; j++) {
      const best = sorted.pop()!;
      out.push({ tokens: best.eos ? [...best.tokens, o.eosTokenId] : best.tokens, score: best.score });
    }
    return out;
  });
}
