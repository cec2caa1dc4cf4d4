import { InputFormatError } from '@kard/core';

/** A topics, qrels or run line that cannot be read. The message starts with `file:line`. */
export class TrecFormatError extends InputFormatError {
  constructor(
    file: string,
    /** 1-based line number. */
    line: number,
    reason: string,
  ) {
    super(file, line, reason);
    this.name = 'TrecFormatError';
  }
}
