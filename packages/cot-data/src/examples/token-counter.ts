// The student's tokenizer as a token counter: Node only (package.json "browser" swaps in token-counter.browser.ts,
// since a page builds its counter from the tokenizer it already fetched).
import { checkTokenizerFolder } from '@kard/core';
import type { TokenCounter } from './budget';

/** The student's tokenizer, through transformers.js `AutoTokenizer` on a local folder with tokenizer.json. */
export async function loadTokenCounter(dir: string): Promise<TokenCounter> {
  checkTokenizerFolder(dir);
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tok = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  return { name: dir, count: (text: string) => tok.encode(text).length };
}
