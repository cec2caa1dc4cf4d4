import { InputFormatError, KardError } from './errors';

class CustomError extends KardError {}

test('KardError takes the subclass name and keeps the cause', () => {
  const cause = new Error('root');
  const e = new CustomError('bad', { cause });
  expect(e).toBeInstanceOf(Error);
  expect(e.name).toBe('CustomError');
  expect(e.cause).toBe(cause);
  expect(e.message).toBe('bad');
});

test('InputFormatError: file:line: reason, or file: reason for the file as a whole', () => {
  const e = new InputFormatError('data.jsonl', 7, 'missing id');
  expect(e.message).toBe('data.jsonl:7: missing id');
  expect([e.file, e.line, e.reason]).toEqual(['data.jsonl', 7, 'missing id']);
  expect(new InputFormatError('v.npy', 0, 'bad header').message).toBe('v.npy: bad header');
  class SubError extends InputFormatError {
    constructor(file: string, line: number, reason: string) {
      super(file, line, reason);
      this.name = 'SubError';
    }
  }
  const s = new SubError('f', 1, 'r');
  expect(s).toBeInstanceOf(InputFormatError);
  expect(s.name).toBe('SubError');
});
