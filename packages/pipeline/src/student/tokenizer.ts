// The student's SentencePiece tokenizer through transformers.js, reduced to what training and decoding need.

export interface StudentTokenizer {
  readonly dir: string;
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
  /** Token ids with the closing </s>, cut to `max` tokens (the last kept one is </s>). */
  encode(text: string, max?: number): number[];
  /** Text of ids, special tokens dropped. */
  decode(ids: number[]): string;
  /** Id of a vocabulary entry (e.g. `<extra_id_0>`), if the tokenizer has it. */
  tokenId(token: string): number | undefined;
}

/** Loads a local tokenizer folder (tokenizer.json), never the network. */
export async function loadStudentTokenizer(dir: string): Promise<StudentTokenizer> {
  const { AutoTokenizer } = await import('@huggingface/transformers');
  const tok = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  const vocab = tok.get_vocab() as Map<string, number>;
  const eosId = vocab.get('</s>') ?? 1;
  const padId = vocab.get('<pad>') ?? 0;
  return {
    dir,
    vocabSize: vocab.size,
    padId,
    eosId,
    encode(text, max) {
      const ids = tok.encode(text) as number[];
      if (max === undefined || ids.length <= max) return ids;
      return [...ids.slice(0, max - 1), eosId];
    },
    decode(ids) {
      return tok.decode(ids, { skip_special_tokens: true });
    },
    tokenId: (token) => vocab.get(token),
  };
}
