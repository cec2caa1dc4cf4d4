/** A vectors file (or ids file) whose content cannot be read as vectors. The message starts with `file:line`. */
export class VectorFormatError extends Error {
  constructor(
    readonly file: string,
    /** 1-based line number (JSONL, ids file); 0 when the problem is the file as a whole (a .npy header). */
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
    this.name = 'VectorFormatError';
  }
}

/** A vector whose length is not the index dimension. */
export class DimensionMismatchError extends Error {
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
export class MissingDependencyError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MissingDependencyError';
  }
}
