import { Command, CommanderError } from 'commander';
import { describeCliError } from '@kard/core';
import { datasetsCommand } from './datasets-command';
import { type CliIo, processIo } from './io';
import { prepareCommand } from './prepare-command';
import { teacherCommand } from './teacher-commands';

/** The `kard-cot` command line, writing to `io`; errors are thrown, not printed. */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('kard-cot')
    .description("KARD's data: datasets, teacher rationales and the student's training examples")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();
  const configure = (c: Command): Command => {
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    c.commands.forEach(configure);
    return c;
  };
  for (const command of [prepareCommand(io), datasetsCommand(io), teacherCommand(io)])
    program.addCommand(configure(command));
  return program;
}

/** Runs the CLI on `args` (without node and script) and returns the exit code; errors print as one line. */
export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr(`kard-cot: ${describeCliError(err)}\n`);
    return 1;
  }
}
