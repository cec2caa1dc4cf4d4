import { describeCliError, signalExitCode } from './cli-exit';
import { InputFormatError, KardError, UsageError } from './errors';
import { OutputExistsError } from './output-guard';

test('errors the user can fix print their message only; a bug keeps its stack', () => {
  const refused = new OutputExistsError('out', 'passage store', 'no manifest.json');
  expect(describeCliError(refused)).toBe(refused.message);
  expect(describeCliError(new InputFormatError('a.json', 3, 'malformed JSON: x'))).toBe('a.json:3: malformed JSON: x');
  expect(describeCliError(new UsageError('give --out'))).toBe('give --out');
  expect(describeCliError(new KardError('ours'))).toBe('ours');
  const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
  expect(describeCliError(bug)).toBe(bug.stack);
  expect(describeCliError(bug)).toMatch(/\n\s+at /);
  expect(describeCliError('thrown text')).toBe('thrown text');
});

test('signals exit as a shell reports them: 128 + the signal number', () => {
  expect(signalExitCode('SIGINT')).toBe(130);
  expect(signalExitCode('SIGTERM')).toBe(143);
  expect(signalExitCode('SIGHUP')).toBe(129);
});
