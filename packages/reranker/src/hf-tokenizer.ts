// transformers.js's AutoTokenizer on a local folder: Node only (package.json "browser" swaps in
// hf-tokenizer.browser.ts, so the page bundle carries neither transformers.js nor its ONNX runtime).
import { AutoTokenizer } from '@huggingface/transformers';
import { checkTokenizerFolder } from '@kard/core';

export async function loadAutoTokenizer(dir: string) {
  checkTokenizerFolder(dir);
  return AutoTokenizer.from_pretrained(dir, { local_files_only: true });
}
