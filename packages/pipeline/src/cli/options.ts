import { Command, Option } from 'commander';
import { schemaLeaves, type KardConfig, type Leaf } from '../config/schema';
import { flagName, loadConfig } from '../config/validate';

/** A flag's help: the option's description, the values an enum takes, and its default. */
export function flagHelp(path: string, leaf: Leaf): string {
  const values = leaf.values
    ? ` (${leaf.kind === 'enum[]' ? 'comma-separated, of' : 'one of'}: ${leaf.values.join(', ')})`
    : '';
  const def = leaf.default === undefined ? '' : ` (default ${JSON.stringify(leaf.default)})`;
  return `${path}: ${leaf.doc}${values}${def}`;
}

/** Adds `--config` and one flag per config key (`--student-lr 3e-4`), walked from the schema, to a command. */
export function addConfigOptions(cmd: Command): Command {
  cmd.option('-c, --config <file>', 'run config (YAML or JSON); flags override it');
  for (const { path, leaf } of schemaLeaves())
    cmd.addOption(new Option(`--${flagName(path)} <value>`, flagHelp(path, leaf)));
  return cmd;
}

/** The validated config from `--config` plus every flag given. */
export function configFromOptions(opts: Record<string, unknown>, aliases: Record<string, string> = {}): KardConfig {
  const overrides: Record<string, unknown> = {};
  for (const { path } of schemaLeaves()) {
    const key = flagName(path).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (opts[key] !== undefined) overrides[path] = opts[key];
  }
  for (const [opt, path] of Object.entries(aliases)) if (opts[opt] !== undefined) overrides[path] = opts[opt];
  return loadConfig(opts.config as string | undefined, overrides);
}
