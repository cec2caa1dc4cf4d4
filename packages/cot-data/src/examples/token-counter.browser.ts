// What a browser build gets for token-counter.ts: a page has no tokenizer folder; it counts with the student's
// tokenizer (`{ name, count: (text) => tokenizer.encode(text).length }`), as loadTokenCounter does.
import type { TokenCounter } from './budget';

export async function loadTokenCounter(dir: string): Promise<TokenCounter> {
  throw new Error(`loadTokenCounter(${JSON.stringify(dir)}) reads a folder, which a browser has not`);
}
