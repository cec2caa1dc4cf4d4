import { KardError } from '@kard/core';

/** Input that does not have the shape its format promises: names the file and (1-based) line when known. */
export class DatasetFormatError extends KardError {
  readonly file?: string;
  readonly line?: number;
  constructor(message: string, file?: string, line?: number) {
    const where = file ? ` (${file}${line !== undefined ? `:${line}` : ''})` : '';
    super(`${message}${where}`);
    this.name = 'DatasetFormatError';
    this.file = file;
    this.line = line;
  }
}

/** The teacher endpoint refused, failed or never answered, after every allowed retry. */
export class TeacherEndpointError extends KardError {
  readonly status?: number;
  readonly attempts: number;
  constructor(message: string, attempts: number, status?: number) {
    super(message);
    this.name = 'TeacherEndpointError';
    this.attempts = attempts;
    this.status = status;
  }
}
