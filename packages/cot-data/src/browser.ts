// @kard/cot-data in a browser: the prompt the students were trained on, fitted to the input budget, and the answer
// parser, so a page asks and reads a student exactly as kard-eval does.
export { DatasetFormatError } from './errors';
export { YES_NO, labelOptions, type McOption, type McQuestion } from './question';
export { instructionFor, type PromptMode } from './examples/prompt';
export { fitInput, type FittedInput, type TokenCounter } from './examples/budget';
export { parseAnswer } from './teacher/answer';
