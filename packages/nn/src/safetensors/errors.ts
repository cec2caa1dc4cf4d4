import { KardError } from '@kard/core';

/** A safetensors file (or its shard index) that cannot be read as promised: truncated, bad header, wrong shape. */
export class SafetensorsError extends KardError {
  constructor(
    message: string,
    /** The file that was being read or written. */
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SafetensorsError';
  }
}
