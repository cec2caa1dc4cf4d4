// What a browser build gets for hf-tokenizer.ts: a page has no tokenizer folder to read.
export async function loadAutoTokenizer(dir: string): Promise<never> {
  throw new Error(
    `BertTokenizer.fromPretrained(${JSON.stringify(dir)}) reads a folder, which a browser has not: use ` +
      'BertTokenizer.fromJson with the fetched tokenizer.json and tokenizer_config.json',
  );
}
