// WordPiece tokenization through transformers.js, with truncation done here so [SEP] always closes a sequence
// (transformers.js v4 drops the final [SEP] when it truncates), as Python's tokenizer does. In a browser the same
// tokenizer comes from its JSON through @huggingface/tokenizers, which transformers.js's encode delegates to.
import { Tokenizer as JsonTokenizer } from '@huggingface/tokenizers';
import { loadAutoTokenizer } from './hf-tokenizer';

/** A padded batch: row-major [batch, length] int32 ids and 0/1 mask. */
export interface TokenBatch {
  ids: Int32Array;
  mask: Int32Array;
  batch: number;
  length: number;
}

/** What BertTokenizer needs of a Hugging Face tokenizer: ids of a text without special tokens. */
type HfTokenizer = { encode(text: string, opts: { add_special_tokens: boolean }): number[] };

/** A token named in tokenizer_config.json (a string, or an AddedToken object with `content`). */
function configToken(config: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = config?.[key] as string | { content?: string } | undefined;
  return typeof v === 'string' ? v : v?.content;
}

export class BertTokenizer {
  private constructor(
    private readonly tok: HfTokenizer,
    readonly clsId: number,
    readonly sepId: number,
    readonly padId: number,
    readonly vocabSize: number,
  ) {}

  /** Loads a local tokenizer folder (tokenizer.json / vocab.txt), never the network. */
  static async fromPretrained(dir: string): Promise<BertTokenizer> {
    const tok = await loadAutoTokenizer(dir);
    return BertTokenizer.fromVocab(tok, tok.get_vocab(), tok.config, dir);
  }

  /** From parsed tokenizer.json and tokenizer_config.json (fetched by a browser); `where` names them in errors. */
  static fromJson(
    tokenizerJson: Record<string, unknown>,
    tokenizerConfig: Record<string, unknown>,
    where: string,
  ): BertTokenizer {
    const tok = new JsonTokenizer(tokenizerJson, tokenizerConfig);
    const encoder = { encode: (text: string, o: { add_special_tokens: boolean }) => tok.encode(text, o).ids };
    return BertTokenizer.fromVocab(encoder, tok.get_vocab(), tokenizerConfig, where);
  }

  private static fromVocab(
    tok: HfTokenizer,
    vocab: Map<string, number>,
    config: Record<string, unknown> | undefined,
    where: string,
  ): BertTokenizer {
    const id = (t: string, name: string): number => {
      const v = vocab.get(t);
      if (v === undefined) throw new Error(`${where}: tokenizer has no ${name} token "${t}"`);
      return v;
    };
    return new BertTokenizer(
      tok,
      id(configToken(config, 'cls_token') ?? '[CLS]', 'CLS'),
      id(configToken(config, 'sep_token') ?? '[SEP]', 'SEP'),
      id(configToken(config, 'pad_token') ?? '[PAD]', 'PAD'),
      vocab.size,
    );
  }

  /** [CLS] tokens [SEP], truncated to `maxLength` (≥ 2) in total. */
  encode(text: string, maxLength: number): number[] {
    const body = this.tok.encode(text, { add_special_tokens: false }) as number[];
    return [this.clsId, ...body.slice(0, Math.max(0, maxLength - 2)), this.sepId];
  }

  /** Encodes and pads to the longest sequence of the batch (right padding). */
  encodeBatch(texts: string[], maxLength: number): TokenBatch {
    return padBatch(
      texts.map((t) => this.encode(t, maxLength)),
      this.padId,
    );
  }
}

export function padBatch(seqs: number[][], padId: number): TokenBatch {
  const length = Math.max(1, ...seqs.map((s) => s.length));
  const ids = new Int32Array(seqs.length * length).fill(padId);
  const mask = new Int32Array(seqs.length * length);
  seqs.forEach((s, b) => {
    ids.set(s, b * length);
    mask.fill(1, b * length, b * length + s.length);
  });
  return { ids, mask, batch: seqs.length, length };
}
