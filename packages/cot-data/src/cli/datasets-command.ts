import { Command } from 'commander';
import { findDatasetsDir, formatDatasetList, listDatasets } from '../datasets/registry';
import type { CliIo } from './io';

export function datasetsCommand(io: CliIo): Command {
  return new Command('datasets')
    .description('List the datasets KARD-TS knows: what is shipped under datasets/ and what to download, from where')
    .option('--dir <dir>', 'datasets folder (default: $KARD_DATASETS or the project datasets/)')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { dir?: string; json?: boolean }) => {
      const list = listDatasets(opts.dir ?? findDatasetsDir());
      io.stdout(opts.json ? `${JSON.stringify(list, null, 2)}\n` : `${formatDatasetList(list)}\n`);
    });
}
