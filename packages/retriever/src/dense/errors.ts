import { InputFormatError, KardError } from '@kard/core';

/** A vectors file (or ids file) whose content cannot be read as vectors. The message starts with `file:line`. */
export class VectorFormatError extends InputFormatError {
  constructor(
    file: string,
    /** 1-based line number (JSONL, ids file); 0 when the problem is the file as a whole (a .npy header). */
    line: number,
    reason: string,
  ) {
    super(file, line, reason);
    this.name = 'VectorFormatError';
  }
}

/** A vector whose length is not the index dimension. */
export class DimensionMismatchError extends KardError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    /** Where the vector came from: a file and line, a row number, "query 3". */
    readonly where: string,
  ) {
    super(`${where}: vector has dimension ${actual}, the index has dimension ${expected}`);
    this.name = 'DimensionMismatchError';
  }
}

/** An optional peer dependency (faiss-node, @huggingface/transformers) that is not installed or not built. */
export class MissingDependencyError extends KardError {
  constructor(
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MissingDependencyError';
  }
}
