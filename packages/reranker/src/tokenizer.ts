// WordPiece tokenization through transformers.js, with truncation done here so [SEP] always closes a sequence
// (transformers.js v4 drops the final [SEP] when it truncates), as Python's tokenizer does.
import { AutoTokenizer } from '@huggingface/transformers';
import { checkTokenizerFolder } from '@kard/core';

/** A padded batch: row-major [batch, length] int32 ids and 0/1 mask. */
export interface TokenBatch {
  ids: Int32Array;
  mask: Int32Array;
  batch: number;
  length: number;
}

type HfTokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

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
    checkTokenizerFolder(dir);
    const tok = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const vocab = tok.get_vocab();
    const id = (t: string, name: string): number => {
      const v = vocab.get(t);
      if (v === undefined) throw new Error(`${dir}: tokenizer has no ${name} token "${t}"`);
      return v;
    };
    const cls = (tok.config?.cls_token as string | undefined) ?? '[CLS]';
    return new BertTokenizer(
      tok,
      id(cls, 'CLS'),
      id(tok.sep_token ?? '[SEP]', 'SEP'),
      id(tok.pad_token ?? '[PAD]', 'PAD'),
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
