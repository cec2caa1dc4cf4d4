// How a student reads text, for either architecture: the pipeline builds prompts and targets through these, so it
// never needs to know whether the student is an encoder-decoder or decoder-only.
//
// T5 (encoder-decoder): the prompt is the encoder input and the target the decoder's labels, each the tokenizer's
// encoding with its special tokens (T5: `</s>` appended).
// GPT-2 (decoder-only): one sequence, prompt ++ [EOS] ++ target ++ [EOS]. The EOS after the prompt is the separator:
// every tokenizer has one, it cannot be produced by encoding ordinary text, and generation starts right after it.
// With the T5 tokenizer both give the same ids (its encoding already ends in `</s>`), so a GPT-2 student and a T5
// student see the same tokens; a byte-level BPE tokenizer (GPT-2's own) adds no special tokens, so the separator is
// added here. The loss counts only the target (labels -100 on the prompt and separator: collateCausal).
import type { StudentModel } from './pretrained';
import type { Tokenizer } from './tokenizer';

/** Whether the student reads prompt and continuation as one sequence (GPT-2) rather than encoder + decoder (T5). */
export function isDecoderOnly(model: StudentModel): boolean {
  return model.config.modelType === 'gpt2';
}

/** Text ids without special tokens, then EOS; cut to `maxLength` keeping the EOS last. */
export function withEos(tok: Tokenizer, text: string, maxLength: number | undefined): number[] {
  const ids = tok.encode(text, { addSpecialTokens: false });
  const keep = maxLength === undefined ? ids.length : Math.max(0, maxLength - 1);
  return [...ids.slice(0, keep), tok.eosTokenId];
}

/**
 * The ids a student is prompted with: T5's encoder input, or a decoder-only model's prompt ending in the EOS
 * separator. At most `maxLength` tokens (cut at the end, the closing EOS kept, as transformers' truncation=True).
 */
export function encodePrompt(model: StudentModel, tok: Tokenizer, text: string, maxLength?: number): number[] {
  return isDecoderOnly(model) ? withEos(tok, text, maxLength) : tok.encode(text, { maxLength });
}

/** The ids a student is trained to produce after its prompt (and scored on): the text, then EOS. */
export function encodeTarget(model: StudentModel, tok: Tokenizer, text: string, maxLength?: number): number[] {
  return isDecoderOnly(model) ? withEos(tok, text, maxLength) : tok.encode(text, { maxLength });
}
