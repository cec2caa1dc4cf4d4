/** A corpus line (or XML record) that cannot be read as a passage. The message starts with `file:line`. */
export class CorpusFormatError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line number in the decompressed input. */
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'CorpusFormatError';
  }
}

/** An input file that does not exist or cannot be opened. */
export class InputFileError extends Error {
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
export class PassageStoreError extends Error {
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
export class DuplicatePassageIdError extends Error {
  constructor(
    readonly id: string,
    /** The rows (0-based, in input order) that carry the id. */
    readonly rows: [number, number],
  ) {
    super(`duplicate passage id ${JSON.stringify(id)} at rows ${rows[0]} and ${rows[1]}`);
    this.name = 'DuplicatePassageIdError';
  }
}
