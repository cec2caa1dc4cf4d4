// The student's tokenizer from the JSON of its files (tokenizer.json, tokenizer_config.json) rather than a folder,
// for a browser that fetched them. It runs @huggingface/tokenizers, the library transformers.js's own tokenizers
// delegate encode and decode to, and `wrapTokenizer` is the one adapter both paths share, so the ids are the ones
// `loadTokenizer` gives in Node (the web test checks this).
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer } from './tokenizer';

/** What `wrapTokenizer` needs of a Hugging Face tokenizer (transformers.js's or @huggingface/tokenizers'). */
export interface TokenizerCore {
  encode(text: string, addSpecialTokens: boolean): number[];
  decode(ids: number[], skipSpecialTokens: boolean): string;
  vocab: Map<string, number>;
  /** The tokenizer's own EOS and PAD, used when the vocabulary has no `</s>` / `<pad>`. */
  eosTokenId?: number;
  padTokenId?: number;
}

/** The `Tokenizer` of a Hugging Face tokenizer; `dir` says where its files came from. */
export function wrapTokenizer(tok: TokenizerCore, dir: string): Tokenizer {
  // T5's entries by name first: the ids the students have always been built and trained with
  const eosTokenId = tok.vocab.get('</s>') ?? tok.eosTokenId ?? 1;
  // GPT-2's tokenizer has no pad token: pad with EOS, as transformers users set pad_token = eos_token
  const padTokenId = tok.vocab.get('<pad>') ?? tok.padTokenId ?? eosTokenId;
  return {
    dir,
    vocabSize: tok.vocab.size,
    padTokenId,
    eosTokenId,
    encode(text, opts = {}) {
      const special = opts.addSpecialTokens ?? true;
      const ids = tok.encode(text, special);
      const max = opts.maxLength;
      if (max === undefined || ids.length <= max) return ids;
      return special ? [...ids.slice(0, max - 1), eosTokenId] : ids.slice(0, max);
    },
    // transformers.js throws on no ids; a student whose first token is EOS generated the empty text
    decode: (ids, opts = {}) => (ids.length ? tok.decode(ids, opts.skipSpecialTokens ?? true) : ''),
    tokenId: (token) => tok.vocab.get(token),
  };
}

/** A token named in tokenizer_config.json (a string, or an AddedToken object with `content`). */
function configToken(config: Record<string, unknown>, key: string): string | undefined {
  const v = config[key] as string | { content?: string } | undefined;
  return typeof v === 'string' ? v : v?.content;
}

/** A `Tokenizer` from parsed tokenizer.json and tokenizer_config.json; `dir` says where they came from (a URL). */
export function tokenizerFromJson(
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  dir: string,
): Tokenizer {
  const tok = new HfTokenizer(tokenizerJson, tokenizerConfig);
  const id = (key: string) => {
    const t = configToken(tokenizerConfig, key);
    return t === undefined ? undefined : tok.token_to_id(t);
  };
  return wrapTokenizer(
    {
      // transformers.js's PreTrainedTokenizer.encode / decode_single make exactly these calls
      encode: (text, special) => tok.encode(text, { add_special_tokens: special }).ids,
      decode: (ids, skip) =>
        ids.length === 0 ? '' : tok.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: null }),
      vocab: tok.get_vocab(),
      eosTokenId: id('eos_token'),
      padTokenId: id('pad_token') ?? id('eos_token'),
    },
    dir,
  );
}
