import { KardError } from '@kard/core';

/** An index folder that is missing, incomplete, corrupt, or written by another format version. */
export class IndexFormatError extends KardError {
  constructor(
    readonly dir: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`index ${dir}: ${reason}`, options);
    this.name = 'IndexFormatError';
  }
}

/** A corpus with no passages: there is nothing to index. */
export class EmptyCorpusError extends KardError {
  constructor(readonly sources: string[] = []) {
    super(`empty corpus: no passages${sources.length ? ` in ${sources.join(', ')}` : ''}`);
    this.name = 'EmptyCorpusError';
  }
}

/** A document id that the index does not hold. */
export class UnknownDocumentError extends KardError {
  constructor(readonly id: string) {
    super(`unknown document id ${JSON.stringify(id)}`);
    this.name = 'UnknownDocumentError';
  }
}
