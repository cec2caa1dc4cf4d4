// Tokenizers through transformers.js (`@huggingface/transformers`, the maintained successor of
// `@xenova/transformers`, whose CommonJS build runs under jest and Node 20): the same tokenizer.json as Python.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelLoadError } from './errors';

export interface Tokenizer {
  /** Token ids with the special tokens the tokenizer adds (T5: EOS = 1 appended). */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  readonly padTokenId: number;
  readonly eosTokenId: number;
}

/** Loads the tokenizer of a local model folder (no network). */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, 'tokenizer.json'))) throw new ModelLoadError('no tokenizer.json in the model folder', path.join(abs, 'tokenizer.json'));
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tok = await AutoTokenizer.from_pretrained(abs, { local_files_only: true });
  return {
    encode: (text, opts = {}) => tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }),
    decode: (ids, opts = {}) => tok.decode(ids, { skip_special_tokens: opts.skipSpecialTokens ?? true }),
    padTokenId: tok.pad_token_id as number,
    eosTokenId: tok.eos_token_id as number,
  };
}
