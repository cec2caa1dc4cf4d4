/**
 * The base of every error KARD throws on purpose, so a caller can tell ours from a bug or a Node error with one
 * `instanceof`. `name` is the subclass's name (subclasses still set it explicitly, so bundlers that rename classes
 * cannot change it).
 */
export class KardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Input that does not have the shape its format promises. The message starts with `file:line: ` (or `file: `
 * when `line` is 0, for a problem with the file as a whole), so editors and terminals can jump to it.
 */
export class InputFormatError extends KardError {
  constructor(
    readonly file: string,
    /** 1-based line number; 0 when the problem is the file as a whole. */
    readonly line: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`, options);
    this.name = 'InputFormatError';
  }
}

/**
 * The disk filled up (ENOSPC, or EDQUOT: over quota) during an atomic write. The write was undone: nothing
 * half-written is left, and whatever was at `path` before is still there.
 */
export class NoSpaceError extends KardError {
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    const code = (options?.cause as NodeJS.ErrnoException | undefined)?.code ?? 'ENOSPC';
    super(
      `no space left on the device writing ${path} (${code}): nothing was written; free some space and run again`,
      options,
    );
    this.name = 'NoSpaceError';
  }
}

/**
 * A command or a call that cannot run as asked: a missing or contradictory option ("give --dataset"), a value out
 * of range. The message says what to change; CLIs print it without a stack trace.
 */
export class UsageError extends KardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
