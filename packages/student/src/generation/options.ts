/** Generation settings, named and defaulted like Hugging Face's GenerationConfig. */
export interface GenerateOptions {
  /** Tokens to generate at most, EOS included. Default 64. */
  maxNewTokens?: number;
  /** Beam width; 1 means greedy or sampling. Default 1. */
  numBeams?: number;
  /** Sample instead of taking the most likely token. Default false. */
  doSample?: boolean;
  /** Divides logits before sampling. Default 1. */
  temperature?: number;
  /** Keep the k most likely tokens when sampling (0 = all). Default 50, as HF. */
  topK?: number;
  /** Nucleus sampling: keep the smallest set with probability >= topP. Default 1. */
  topP?: number;
  /** Sequences returned per input (<= numBeams for beam search). Default 1. */
  numReturnSequences?: number;
  /** Seed of the sampling generator. Default 0. */
  seed?: number;
  /** Beam score = sum log-prob / length ** lengthPenalty. Default 1. */
  lengthPenalty?: number;
  /** Beam search stopping: true (numBeams finished), false (HF heuristic), 'never' (exact bound). Default false. */
  earlyStopping?: boolean | 'never';
  /** Use the key/value cache (results are identical; uncached is for checking). Default true. */
  useCache?: boolean;
  /** Hugging Face's no_repeat_ngram_size: never repeat an n-gram of the sequence (0 = off). Default 0. */
  noRepeatNgramSize?: number;
  /**
   * Called with each token as greedy search or sampling picks it (row: input index × sequences per input), to
   * stream output; beam search, whose tokens are only final at the end, does not call it.
   */
  onToken?: (row: number, token: number) => void;
}

export interface GeneratedSequence {
  /** New token ids (after the prompt / decoder start), ending with EOS when the model produced it. */
  tokens: number[];
  /** Beam search: the length-normalised score; greedy/sampling: the sum of token log-probabilities. */
  score: number;
}

export function resolveOptions(o: GenerateOptions): Required<GenerateOptions> {
  return {
    maxNewTokens: o.maxNewTokens ?? 64,
    numBeams: o.numBeams ?? 1,
    doSample: o.doSample ?? false,
    temperature: o.temperature ?? 1,
    topK: o.topK ?? 50,
    topP: o.topP ?? 1,
    numReturnSequences: o.numReturnSequences ?? 1,
    seed: o.seed ?? 0,
    lengthPenalty: o.lengthPenalty ?? 1,
    earlyStopping: o.earlyStopping ?? false,
    useCache: o.useCache ?? true,
    noRepeatNgramSize: o.noRepeatNgramSize ?? 0,
    onToken: o.onToken ?? (() => {}),
  };
}

/** log_softmax of one row of logits, in float64. */
export function logSoftmax(logits: Float32Array, offset: number, v: number): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < v; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (let i = 0; i < v; i++) sum += Math.exp(logits[offset + i] - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(v);
  for (let i = 0; i < v; i++) out[i] = logits[offset + i] - lse;
  return out;
}
