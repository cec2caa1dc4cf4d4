export { ModelLoadError, ExampleFormatError } from './errors';
export { type T5Config, type Gpt2Config, type ModelConfig, t5Config, gpt2Config } from './config';
export type { LmBatch } from './model';
export { T5ForConditionalGeneration } from './t5/model';
export { Gpt2LMHeadModel } from './gpt2/model';
export {
  createModel,
  fromPretrained,
  savePretrained,
  STUDENT_MODEL_OWNER,
  type StudentModel,
  type LoadedModel,
} from './pretrained';
export { generate, type GenerateOptions, type GeneratedSequence } from './generation';
export { loadTokenizer, type Tokenizer } from './tokenizer';
export { readExamples, tokenizeExamples, type TextExample, type TokenizedExample } from './training/examples';
export {
  denoisingDraws,
  denoisingExample,
  denoisingExamples,
  type DenoisingDraw,
  type DenoisingOptions,
} from './training/denoising';
export {
  Seq2SeqTrainer,
  CausalLmTrainer,
  createTrainer,
  type StudentTrainerOptions,
  type StepRecord,
  type StudentTrainResult,
} from './training/trainer';
export { scoreExamples, type ExampleScore, type ScoredExample } from './score';
export { createScratchT5, type ScratchT5Options } from './scratch-t5';
export { createScratchGpt2, type ScratchGpt2Options } from './scratch-gpt2';
export { encodePrompt, encodeTarget, isDecoderOnly } from './encode';
export {
  loadStudent,
  openStudent,
  saveStudent,
  STUDENT_ARCHS,
  type Student,
  type StudentArch,
  type StudentSource,
} from './open';
export { downloadFromHub, HubDownloadError, isHubId } from './hub';
export { trimUnigramTokenizer, type TrimTokenizerOptions, type TrimmedTokenizer } from './vocab-trim';
