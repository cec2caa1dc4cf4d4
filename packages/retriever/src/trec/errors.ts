/** A topics, qrels or run line that cannot be read. The message starts with `file:line`. */
export class TrecFormatError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line number. */
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'TrecFormatError';
  }
}
