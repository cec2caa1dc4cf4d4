import { InputFormatError, KardError } from '@kard/core';

/** A model folder that cannot be loaded: no weights, an unsupported architecture, shapes that disagree. */
export class ModelLoadError extends KardError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelLoadError';
  }
}

/** A JSONL line of examples or inputs that cannot be used. */
export class ExampleFormatError extends InputFormatError {
  constructor(message: string, file: string, line: number) {
    super(file, line, message);
    this.name = 'ExampleFormatError';
  }
}
