import { readJsonFile, UsageError } from '@kard/core';
import { Command, Option } from 'commander';
import { DATASET_FORMATS, type DatasetFormat } from '../datasets/load';
import { prepare, type PrepareConfig } from '../prepare';
import { RATIONALE_FORMATS, type RationaleFormat } from '../teacher/import';
import { collect, fraction, positiveInt, type CliIo } from './io';

interface PrepareFlags {
  config?: string;
  dataset?: string;
  format?: DatasetFormat;
  name?: string;
  skipInvalid?: boolean;
  rationales: string[];
  rationaleFormat?: RationaleFormat;
  mode?: PrepareConfig['mode'];
  instruction?: string;
  corpus: string[];
  k1?: string;
  b?: string;
  nKnowledge?: number;
  query?: PrepareConfig['query'];
  tokenizer?: string;
  maxInputTokens?: number;
  validation?: number;
  seed?: number;
  out?: string;
  overwrite?: boolean;
  progress?: boolean;
}

/**
 * The `prepare` command: flags, or a JSON config file (`--config`) whose fields flags override. The app's
 * `kard-train prepare` can mount this same command.
 */
export function prepareCommand(io: CliIo): Command {
  return new Command('prepare')
    .description(
      "Build the student's training data: questions + teacher rationales (+ retrieved knowledge) -> train/validation " +
        'JSONL',
    )
    .option('--config <file>', 'JSON file with a PrepareConfig; flags override its fields')
    .option('--dataset <file>', 'question file (StrategyQA json, MedQA jsonl, OpenBookQA, FLAN CoT tsv, MC jsonl)')
    .addOption(new Option('--format <format>', 'question file format (default: detected)').choices(DATASET_FORMATS))
    .option('--name <dataset>', 'dataset name, picks the default instruction (strategyqa, medqa, obqa, ...)')
    .option('--skip-invalid', 'skip and count bad questions instead of stopping')
    .option('--rationales <file>', 'teacher rationale file (repeatable)', collect, [])
    .addOption(
      new Option('--rationale-format <format>', 'format of the rationale files')
        .choices(RATIONALE_FORMATS)
        .default('flan-cot'),
    )
    .addOption(
      new Option('--mode <mode>', 'kard (knowledge), rd (no knowledge) or ft (answer only)').choices([
        'kard',
        'rd',
        'ft',
      ]),
    )
    .option('--instruction <text>', "replace the dataset's default instruction")
    .option('--corpus <file>', 'knowledge passages for BM25 (repeatable)', collect, [])
    .option('--k1 <k1>', 'BM25 k1 (default 0.9)')
    .option('--b <b>', 'BM25 b (default 0.4)')
    .option('--n-knowledge <n>', 'passages per input (default 1)', positiveInt)
    .addOption(
      new Option('--query <query>', 'what retrieves the knowledge (default rationale)').choices([
        'rationale',
        'question',
      ]),
    )
    .option('--tokenizer <dir>', 'student tokenizer folder (tokenizer.json) for the input budget')
    .option('--max-input-tokens <n>', 'input budget in student tokens (default 512)', positiveInt)
    .option('--validation <fraction>', 'share of questions held out (default 0.1)', fraction)
    .option('--seed <seed>', 'split seed (default 42)', positiveInt)
    .option('--out <dir>', 'output folder (replaced atomically when empty or a prepared-data folder)')
    .option('--overwrite', 'replace --out even when it is not a prepared-data folder (a file, other files)')
    .option('--progress', 'force progress bars on stderr')
    .option('--no-progress', 'hide progress bars')
    .action(async (flags: PrepareFlags) => {
      const config = prepareConfigFromFlags(flags);
      const manifest = await prepare(config);
      const c = manifest.counts;
      io.stdout(
        `questions ${c.questions} (skipped ${c.skippedQuestions}), rationales ${c.rationalesImported} (unmatched ` +
          `${c.rationalesUnmatched}` +
          (c.verify ? `, kept ${c.verify.kept}, wrong ${c.verify.wrong}, unparsed ${c.verify.parseFailures})` : ')') +
          `\nexamples train ${c.examples.train} / validation ${c.examples.validation}; reranker ${c.reranker.train} ` +
          `/ ${c.reranker.validation}; truncated inputs ${c.truncatedInputs}\nwrote ${config.outDir}\n`,
      );
    });
}

export function prepareConfigFromFlags(flags: PrepareFlags): PrepareConfig {
  const base: Partial<PrepareConfig> = flags.config ? readJsonFile<Partial<PrepareConfig>>(flags.config) : {};
  const dataset = flags.dataset ? { file: flags.dataset } : base.dataset;
  if (!dataset?.file) throw new UsageError('prepare: give --dataset (or dataset.file in --config)');
  const outDir = flags.out ?? base.outDir;
  if (!outDir) throw new UsageError('prepare: give --out (or outDir in --config)');
  const config: PrepareConfig = {
    ...base,
    dataset: {
      ...dataset,
      ...(flags.format && { format: flags.format }),
      ...(flags.name && { name: flags.name }),
      ...(flags.skipInvalid && { onInvalid: 'skip' as const }),
    },
    outDir,
  };
  if (flags.rationales.length)
    config.rationales = flags.rationales.map((file) => ({ file, format: flags.rationaleFormat ?? 'flan-cot' }));
  if (flags.corpus.length || flags.k1 || flags.b) {
    config.knowledge = {
      corpus: flags.corpus.length ? flags.corpus : (base.knowledge?.corpus ?? []),
      k1: flags.k1 ? Number(flags.k1) : base.knowledge?.k1,
      b: flags.b ? Number(flags.b) : base.knowledge?.b,
    };
  }
  const set = <K extends keyof PrepareConfig>(key: K, value: PrepareConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  set('mode', flags.mode);
  set('instruction', flags.instruction);
  set('nKnowledge', flags.nKnowledge);
  set('query', flags.query);
  set('tokenizer', flags.tokenizer);
  set('maxInputTokens', flags.maxInputTokens);
  set('validationFraction', flags.validation);
  set('seed', flags.seed);
  set('progress', flags.progress);
  set('overwrite', flags.overwrite);
  return config;
}
