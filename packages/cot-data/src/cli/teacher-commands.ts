import { Command, Option } from 'commander';
import { createProgress, UsageError, writeJsonl } from '@kard/core';
import { DATASET_FORMATS, datasetNameOf, loadQuestions, type DatasetFormat } from '../datasets/load';
import { instructionFor } from '../examples/prompt';
import { loadTokenCounter } from '../examples/budget';
import { readCache } from '../teacher/cache';
import { writeChatResponses } from '../teacher/chat-responses';
import { teacherEstimateLine } from '../teacher/cost';
import { pickDemonstrations, type Demonstration } from '../teacher/fewshot';
import { generateRationales, TEACHER_MODES, type TeacherMode } from '../teacher/generate';
import { FEW_SHOT_TEMPLATES, fewShotTemplate } from '../teacher/templates';
import { importRationales, RATIONALE_FORMATS, type RationaleFormat } from '../teacher/import';
import { attachRationales, type Rationale } from '../teacher/rationale';
import { verifyRationales } from '../teacher/verify';
import { number, positiveInt, type CliIo } from './io';

interface DatasetFlags {
  dataset: string;
  format?: DatasetFormat;
}

const datasetOptions = (c: Command) =>
  c
    .requiredOption('--dataset <file>', 'question file')
    .addOption(new Option('--format <format>', 'question file format (default: detected)').choices(DATASET_FORMATS));

const rationaleOptions = (c: Command) =>
  c
    .requiredOption('--rationales <file>', 'teacher rationale file')
    .addOption(new Option('--rationale-format <format>', 'its format').choices(RATIONALE_FORMATS).default('flan-cot'));

/** `{id, rationales: [...]}` records, one per question, in question order. */
function byQuestion(rationales: Rationale[]): { id: string; rationales: string[] }[] {
  const byId = new Map<string, string[]>();
  for (const r of rationales) byId.set(r.questionId, [...(byId.get(r.questionId) ?? []), r.text]);
  return [...byId].map(([id, list]) => ({ id, rationales: list }));
}

export function teacherCommand(io: CliIo): Command {
  const teacher = new Command('teacher').description(
    'Teacher rationales: import, generate from an OpenAI-compatible endpoint, verify',
  );

  const imp = new Command('import')
    .description(
      'Read rationales (FLAN CoT TSV, {id, rationales} JSONL, zero-shot-CoT log, generation cache), tie them to the ' +
        'questions, write {id, rationales} JSONL',
    )
    .requiredOption('--out <file>', 'output JSONL');
  datasetOptions(imp);
  rationaleOptions(imp);
  imp.action((o: DatasetFlags & { rationales: string; rationaleFormat: RationaleFormat; out: string }) => {
    const { questions } = loadQuestions(o.dataset, { format: o.format });
    const attached = attachRationales(questions, importRationales(o.rationales, o.rationaleFormat));
    writeJsonl(o.out, byQuestion(attached.rationales));
    io.stdout(
      `rationales ${attached.rationales.length} for ${new Set(attached.rationales.map((r) => r.questionId)).size} ` +
        `questions (unmatched ${attached.unmatched}); wrote ${o.out}\n`,
    );
  });

  const verify = new Command('verify')
    .description("Keep rationales whose final answer matches the gold one (KARD's filter); print counts")
    .option('--out <file>', 'write the kept rationales as {id, rationales} JSONL');
  datasetOptions(verify);
  rationaleOptions(verify);
  verify.action((o: DatasetFlags & { rationales: string; rationaleFormat: RationaleFormat; out?: string }) => {
    const { questions } = loadQuestions(o.dataset, { format: o.format });
    const attached = attachRationales(questions, importRationales(o.rationales, o.rationaleFormat));
    const { kept, report } = verifyRationales(questions, attached.rationales);
    if (o.out) writeJsonl(o.out, byQuestion(kept));
    io.stdout(`${JSON.stringify({ ...report, unmatched: attached.unmatched })}\n`);
  });

  const generate = new Command('generate')
    .description(
      'Sample n rationales per question from an OpenAI-compatible chat-completions endpoint, cached and resumable. ' +
        "Mode rationalise (KARD's teacher): the prompt shows the gold answer with the dataset's few-shot template " +
        '(medqa, strategyqa, obqa) and asks for the explanation; mode answer: few-shot chain of thought from --demos, ' +
        'wrong answers dropped later by `teacher verify`. Prints the cost estimate (stderr) before the first request ' +
        'and the usage summary with the actual cost (stdout) after',
    )
    .requiredOption('--cache <file>', 'append-only JSONL cache (rerun to resume)')
    .addOption(
      new Option('--mode <mode>', "how the teacher is asked (rationalise: KARD's, the pipeline's default)")
        .choices(TEACHER_MODES)
        .default('rationalise'),
    )
    .option(
      '--demos <file>',
      'answer mode: training questions with rationales for the few-shot prompt (FLAN CoT TSV or a question file)',
    )
    .option('--demo-rationales <file>', 'rationales of the demo questions (default: --demos itself, as FLAN CoT TSV)')
    .addOption(
      new Option('--demo-format <format>', 'format of --demo-rationales')
        .choices(RATIONALE_FORMATS)
        .default('flan-cot'),
    )
    .option('--shots <k>', 'answer mode: demonstrations in the prompt (default 4)', positiveInt, 4)
    .option('--n <n>', 'rationales per question (default 10, as KARD)', positiveInt, 10)
    .option('--temperature <t>', "sampling temperature (default: 1 in rationalise mode, KARD's; 0.7 in answer)", number)
    .option('--max-tokens <n>', 'completion length limit (default 256)', positiveInt, 256)
    .option('--concurrency <n>', 'requests in flight (default 4)', positiveInt, 4)
    .option('--limit <n>', 'only the first n questions', positiveInt)
    .option('--base-url <url>', 'endpoint base URL (default $OPENAI_BASE_URL)')
    .option('--model <model>', 'model (default $KARD_TEACHER_MODEL or gpt-3.5-turbo)')
    .option('--timeout <ms>', 'per-attempt time limit (default 60000)', positiveInt)
    .option('--retries <n>', 'retries on 429/5xx/time-outs (default 5)', positiveInt)
    .option('--price-prompt <usd>', 'USD per million prompt tokens, for the estimate and the cost summary', number, 0)
    .option('--price-completion <usd>', 'USD per million completion tokens', number, 0)
    .option(
      '--count-tokenizer <dir>',
      "tokenizer folder (tokenizer.json) counting the estimate's prompt tokens (default: 4 characters a token)",
    )
    .option('--estimate-only', 'print the cost estimate as JSON and stop before any request')
    .option('--seed <seed>', 'seed for picking demonstrations (default 42)', positiveInt, 42)
    .option('--name <dataset>', "dataset name: the template and instruction (default: told from --dataset's file)")
    .addOption(
      new Option(
        '--out-format <format>',
        "also write the rationales as: chat-responses (the reference's folder, 00000.json ... one chat-completion " +
          'response per question, in question order; read back by --rationale-format chat-responses)',
      ).choices(['cache', 'chat-responses']),
    )
    .option('--out <dir>', 'with --out-format chat-responses: the folder to write')
    .option('--overwrite', 'replace --out whatever it holds')
    .option('--progress', 'force a progress bar on stderr')
    .option('--no-progress', 'hide the progress bar');
  datasetOptions(generate);
  generate.action(async (o: DatasetFlags & GenerateFlags) => {
    if (o.outFormat === 'chat-responses' && !o.out)
      throw new UsageError('teacher generate: --out-format chat-responses needs --out <dir>');
    if (o.out && o.outFormat !== 'chat-responses')
      throw new UsageError('teacher generate: --out is the folder of --out-format chat-responses');
    let { questions } = loadQuestions(o.dataset, { format: o.format });
    if (o.limit !== undefined) questions = questions.slice(0, o.limit);
    const name = o.name ?? datasetNameOf(o.dataset, o.format ?? 'auto');
    const mode = o.mode;
    const template = mode === 'rationalise' ? fewShotTemplate(name) : undefined;
    if (mode === 'rationalise' && !template)
      throw new UsageError(
        `teacher generate: no few-shot template for dataset ${name ?? '(unknown)'}; pass --name ` +
          `${Object.keys(FEW_SHOT_TEMPLATES).join('|')}, or --mode answer with --demos`,
      );
    let demonstrations: Demonstration[] = [];
    if (mode === 'answer') {
      if (!o.demos) throw new UsageError('teacher generate: --mode answer needs --demos <file>');
      const demoQuestions = loadQuestions(o.demos, {}).questions;
      const attached = attachRationales(demoQuestions, importRationales(o.demoRationales ?? o.demos, o.demoFormat));
      const { kept } = verifyRationales(demoQuestions, attached.rationales);
      const byId = new Map(demoQuestions.map((q) => [q.id, q]));
      const pool = kept
        .filter((r) => r.sample === 0)
        .map((r) => ({ question: byId.get(r.questionId)!, rationale: r.text }));
      if (pool.length === 0)
        throw new UsageError(`teacher generate: no demonstration with a correct rationale in ${o.demos}`);
      demonstrations = pickDemonstrations(pool, o.shots, o.seed);
    }
    const counter = o.countTokenizer ? await loadTokenCounter(o.countTokenizer) : undefined;
    const bar = createProgress({ label: 'teacher', total: questions.length, unit: 'questions', show: o.progress });
    const { summary } = await generateRationales({
      questions,
      mode,
      template,
      demonstrations,
      endpoint: { baseUrl: o.baseUrl, model: o.model, timeoutMs: o.timeout, maxRetries: o.retries },
      cacheFile: o.cache,
      n: o.n,
      temperature: o.temperature ?? (mode === 'rationalise' ? 1 : 0.7),
      maxTokens: o.maxTokens,
      concurrency: o.concurrency,
      instruction: instructionFor(name),
      pricePerMillion: { prompt: o.pricePrompt, completion: o.priceCompletion },
      counter,
      estimateOnly: o.estimateOnly,
      onEstimate: (e) =>
        o.estimateOnly ? io.stdout(`${JSON.stringify(e)}\n`) : io.stderr(`${teacherEstimateLine(e)}\n`),
      onProgress: (done) => bar.update(done),
    }).finally(() => bar.stop());
    if (o.estimateOnly) return;
    if (o.outFormat === 'chat-responses') {
      const written = await writeChatResponses(o.out!, questions, readCache(o.cache).records, {
        n: o.n,
        overwrite: o.overwrite,
      });
      io.stderr(`wrote ${written.files} responses (${written.rationales} rationales) to ${o.out}\n`);
    }
    io.stdout(`${JSON.stringify(summary)}\n`);
  });

  for (const c of [imp, verify, generate]) teacher.addCommand(c);
  return teacher;
}

interface GenerateFlags {
  cache: string;
  mode: TeacherMode;
  demos?: string;
  demoRationales?: string;
  demoFormat: RationaleFormat;
  shots: number;
  n: number;
  temperature?: number;
  maxTokens: number;
  concurrency: number;
  limit?: number;
  baseUrl?: string;
  model?: string;
  timeout?: number;
  retries?: number;
  pricePrompt: number;
  priceCompletion: number;
  seed: number;
  name?: string;
  countTokenizer?: string;
  estimateOnly?: boolean;
  outFormat?: 'cache' | 'chat-responses';
  out?: string;
  overwrite?: boolean;
  progress?: boolean;
}
