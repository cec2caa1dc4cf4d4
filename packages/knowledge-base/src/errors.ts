import { InputFormatError, KardError } from '@kard/core';

/** A corpus line (or XML record) that cannot be read as a passage. The message starts with `file:line`. */
export class CorpusFormatError extends InputFormatError {
  constructor(
    file: string,
    /** 1-based line number in the decompressed input. */
    line: number,
    reason: string,
  ) {
    super(file, line, reason);
    this.name = 'CorpusFormatError';
  }
}

/** An input file that does not exist or cannot be opened. */
export class InputFileError extends KardError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: ${file}`, options);
    this.name = 'InputFileError';
  }
}

/** A passage-store folder that is missing, incomplete, corrupt or written by another store version. */
export class PassageStoreError extends KardError {
  constructor(
    readonly dir: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`passage store ${dir}: ${reason}`, options);
    this.name = 'PassageStoreError';
  }
}

/** Two passages with the same id were given to one store. */
export class DuplicatePassageIdError extends KardError {
  constructor(
    readonly id: string,
    /** The rows (0-based, in input order) that carry the id. */
    readonly rows: [number, number],
  ) {
    super(`duplicate passage id ${JSON.stringify(id)} at rows ${rows[0]} and ${rows[1]}`);
    this.name = 'DuplicatePassageIdError';
  }
}
