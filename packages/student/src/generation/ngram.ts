// Hugging Face's no_repeat_ngram_size: a token that would complete an n-gram already present in the sequence is
// banned (NoRepeatNGramLogitsProcessor). The sequence is what HF calls input_ids: the decoder start token and the
// generated tokens for an encoder-decoder, the prompt and the generated tokens for a decoder-only model.

/**
 * Tokens that may not follow `history` without repeating one of its n-grams (none while history is shorter than n - 1).
 */
export function bannedNgramTokens(history: readonly number[], n: number): number[] {
  if (n <= 0 || history.length < n - 1) return [];
  if (n === 1) return [...new Set(history)];
  const start = history.length - (n - 1); // the (n - 1)-gram the next token would extend
  const banned: number[] = [];
  for (let i = 0; i + n - 1 < history.length; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = history[i + j] === history[start + j];
    if (same) banned.push(history[i + n - 1]);
  }
  return banned;
}
