import { Command, CommanderError } from 'commander';
import { describeCliError } from '@kard/core';
import { version } from '../../package.json';
import { checkCommand } from './check-command';
import { registerDenseCommands } from './dense-commands';
import { evalCommand } from './eval-command';
import { indexCommand } from './index-command';
import { type CliIo, processIo } from './io';
import { searchCommand } from './search-command';

/** The `kard-retriever` command line, writing to `io`; errors are thrown, not printed. */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('kard-retriever')
    .description('Exact BM25 (and dense) retrieval: build indexes, run TREC topics, evaluate runs')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  for (const command of [indexCommand(io), searchCommand(io), evalCommand(io), checkCommand(io)]) {
    program.addCommand(command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }));
  }
  registerDenseCommands(program);
  return program;
}

/**
 * Runs the CLI on `args` (without node and script) and returns the exit code. Errors are printed as one
 * line, `kard-retriever: message`.
 */
export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    // commander has already printed its own usage errors; help and version exit with 0.
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr(`kard-retriever: ${describeCliError(err)}\n`);
    return 1;
  }
}
