// Tokenizers through transformers.js (`@huggingface/transformers`, the maintained successor of
// `@xenova/transformers`, whose CommonJS build runs under jest and Node 20): the same tokenizer.json as Python.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTokenizerFolder } from '@kard/core';
import { ModelLoadError } from './errors';

export interface EncodeOptions {
  /** Add the tokenizer's special tokens (T5: EOS appended). Default true. */
  addSpecialTokens?: boolean;
  /**
   * Cut to this many tokens. With special tokens added the last kept token is EOS (T5's truncation keeps the
   * closing `</s>`); without them the ids are simply cut.
   */
  maxLength?: number;
}

export interface Tokenizer {
  /** The (absolute) folder the tokenizer was loaded from. */
  readonly dir: string;
  /** Entries in the vocabulary (T5's shipped tokenizer: 32,100; the model's embedding may be larger). */
  readonly vocabSize: number;
  readonly padTokenId: number;
  readonly eosTokenId: number;
  /** Token ids with the special tokens the tokenizer adds (T5: EOS = 1 appended). */
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  /** Id of a vocabulary entry (e.g. `<extra_id_0>`), if the tokenizer has it. */
  tokenId(token: string): number | undefined;
}

/** Loads the tokenizer of a local model folder (no network). */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const abs = path.resolve(dir);
  if (!fs.existsSync(path.join(abs, 'tokenizer.json')))
    throw new ModelLoadError('no tokenizer.json in the model folder', path.join(abs, 'tokenizer.json'));
  checkTokenizerFolder(abs);
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tok = await AutoTokenizer.from_pretrained(abs, { local_files_only: true });
  const vocab = tok.get_vocab() as Map<string, number>;
  // T5's entries by name first: the ids the students have always been built and trained with
  const eosTokenId = vocab.get('</s>') ?? (tok.eos_token_id as number | undefined) ?? 1;
  const padTokenId = vocab.get('<pad>') ?? (tok.pad_token_id as number | undefined) ?? 0;
  return {
    dir: abs,
    vocabSize: vocab.size,
    padTokenId,
    eosTokenId,
    encode(text, opts = {}) {
      const special = opts.addSpecialTokens ?? true;
      const ids = tok.encode(text, { add_special_tokens: special }) as number[];
      const max = opts.maxLength;
      if (max === undefined || ids.length <= max) return ids;
      return special ? [...ids.slice(0, max - 1), eosTokenId] : ids.slice(0, max);
    },
    // an empty sequence (a student that ends at once) is '' as in Python transformers; transformers.js throws on it
    decode: (ids, opts = {}) =>
      ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: opts.skipSpecialTokens ?? true }),
    tokenId: (token) => vocab.get(token),
  };
}
