// How a command line ends: what it prints for an error that reached its top level, and its exit status on a signal.
import { constants } from 'node:os';
import { KardError } from './errors';

/**
 * The text a CLI prints for an error that reached its top level: a KardError (something the user can fix: the
 * message says what and where) prints its message only; anything else is a bug and keeps its stack.
 */
export function describeCliError(err: unknown): string {
  if (err instanceof KardError) return err.message;
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

/** The shell's exit status for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
