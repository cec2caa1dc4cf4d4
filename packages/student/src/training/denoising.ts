// Denoising pre-training examples for a seq2seq student trained from scratch: BART's text infilling in T5's
// sentinel notation. A window of a passage has spans masked until a share `noise` of its tokens is hidden; each
// span becomes one sentinel (<extra_id_0>, <extra_id_1>, ...) in the input, and the target is the whole window.
// Reconstructing the window teaches the decoder to copy from the encoder and to fill gaps from context: what a
// student must do with a retrieved passage, and what a pretrained Flan-T5 brings from its pre-training.
import { Rng } from '@kard/core';
import type { TokenizedExample } from './examples';

export interface DenoisingOptions {
  /** Examples to make. */
  count: number;
  /** Tokens per window (shorter documents give shorter windows). */
  length: number;
  /** Share of a window's tokens masked (0.15 as in BERT, T5 and BART). */
  noise: number;
  /** Mean span length (spans are 1 + a geometric draw; at least 1). */
  meanSpan: number;
  /** Sentinel ids in order of use; a window masks at most this many spans. */
  sentinelIds: number[];
  eosId: number;
  seed: number;
}

/** One example per draw: a random document (weighted by its length), a random window, spans masked. */
export function denoisingExamples(docs: number[][], opts: DenoisingOptions): TokenizedExample[] {
  return denoisingDraws(
    docs.map((d) => d.length),
    opts,
  ).map((draw, e) => denoisingExample(draw, docs[draw.doc], e, opts));
}

/** Where one denoising example comes from: a document, its window's start, and which window tokens are masked. */
export interface DenoisingDraw {
  /** Index of the document in the lengths given to `denoisingDraws`. */
  doc: number;
  start: number;
  masked: boolean[];
}

/**
 * The draws `denoisingExamples` makes, from the documents' token counts alone: a caller with a corpus too large to
 * hold tokenized (a passage store) counts tokens in one pass, then tokenizes only the drawn documents for
 * `denoisingExample`. Same seed and lengths, same draws.
 */
export function denoisingDraws(lengths: ArrayLike<number>, opts: DenoisingOptions): DenoisingDraw[] {
  const usable: number[] = [];
  for (let i = 0; i < lengths.length; i++) if (lengths[i] >= 2) usable.push(i);
  if (usable.length === 0) throw new Error('denoisingExamples: no document has two or more tokens');
  if (!(opts.noise > 0 && opts.noise < 1))
    throw new Error(`denoisingExamples: noise must be in (0, 1), got ${opts.noise}`);
  if (opts.sentinelIds.length === 0) throw new Error('denoisingExamples: no sentinel ids');
  const rng = new Rng(opts.seed);
  // Documents drawn in proportion to the windows they hold, so long articles are not under-sampled.
  const cumulative = new Float64Array(usable.length);
  let total = 0;
  usable.forEach((d, i) => (cumulative[i] = total += Math.max(1, lengths[d] - opts.length + 1)));
  const pick = () => {
    const x = rng.uniform() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return usable[lo];
  };
  const out: DenoisingDraw[] = [];
  for (let e = 0; e < opts.count; e++) {
    const doc = pick();
    const n = lengths[doc];
    const start = rng.int(Math.max(1, n - opts.length + 1));
    out.push({ doc, start, masked: maskSpans(Math.min(opts.length, n - start), opts, rng) });
  }
  return out;
}

/** Example `e` of a draw, from its document's tokens (the draw's lengths must be these tokens' count). */
export function denoisingExample(
  draw: DenoisingDraw,
  tokens: number[],
  e: number,
  opts: Pick<DenoisingOptions, 'sentinelIds' | 'eosId'>,
): TokenizedExample {
  const window = tokens.slice(draw.start, draw.start + draw.masked.length);
  if (window.length !== draw.masked.length)
    throw new Error(`denoisingExample: document ${draw.doc} has ${tokens.length} tokens, fewer than the draw counted`);
  const masked = draw.masked;
  const input: number[] = [];
  let sentinel = 0;
  for (let i = 0; i < window.length; i++) {
    if (!masked[i]) input.push(window[i]);
    else if (i === 0 || !masked[i - 1]) input.push(opts.sentinelIds[sentinel++]);
  }
  return { id: `denoise-${e}`, inputIds: [...input, opts.eosId], targetIds: [...window, opts.eosId] };
}

/**
 * Marks spans (1 + geometric length with mean `meanSpan`) until `noise * n` tokens are masked, keeping at least one
 * visible.
 */
function maskSpans(n: number, opts: DenoisingOptions, rng: Rng): boolean[] {
  const masked = new Array<boolean>(n).fill(false);
  const goal = Math.min(n - 1, Math.max(1, Math.round(opts.noise * n)));
  const pExtend = opts.meanSpan > 1 ? 1 - 1 / opts.meanSpan : 0;
  let count = 0;
  let spans = 0; // spans never touch, so each one placed is one sentinel
  for (let tries = 0; count < goal && spans < opts.sentinelIds.length && tries < 4 * n; tries++) {
    let len = 1;
    while (rng.uniform() < pExtend) len++;
    len = Math.min(len, goal - count);
    const at = rng.int(n - len + 1);
    const range = masked.slice(at, at + len);
    if (range.some(Boolean)) continue;
    // A new span may not touch an old one: they would merge into one sentinel.
    if ((at > 0 && masked[at - 1]) || (at + len < n && masked[at + len])) continue;
    for (let i = at; i < at + len; i++) masked[i] = true;
    count += len;
    spans++;
  }
  return masked;
}
