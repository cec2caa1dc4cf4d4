// kard-student: generate and score with a Hugging Face model folder. Thin wiring; the work lives in the library.
import { Command } from 'commander';
import { describeCliError, UsageError } from '@kard/core';
import { initBackend, webgpuAdapterReport, type BackendName } from '@kard/nn';
import { generate } from '../generation';
import { fromPretrained } from '../pretrained';
import { scoreExamples } from '../score';
import { loadTokenizer } from '../tokenizer';
import { readExamples, tokenizeExamples } from '../training/examples';

const int = (v: string) => Number.parseInt(v, 10);
const float = (v: string) => Number.parseFloat(v);

async function setup(opts: { model: string; backend?: BackendName }) {
  const backend = await initBackend({ backend: opts.backend });
  process.stderr.write(`[kard-student] backend ${backend.name}: ${backend.reason}\n`);
  const loaded = fromPretrained(opts.model);
  const tok = await loadTokenizer(opts.model);
  return { ...loaded, tok };
}

export function buildProgram(): Command {
  const program = new Command('kard-student').description(
    'Generate with and score T5 / GPT-2 students (Hugging Face folders).',
  );

  program
    .command('env')
    .description('start the backend (the best that works, or --backend) and print it with its GPU adapter as JSON')
    .option('--backend <name>', 'force a backend (tfjs-node-gpu, webgpu, tfjs-node, native-cpu, wasm, cpu)')
    .action(async (o) => {
      const b = await initBackend({ backend: o.backend });
      const out = { backend: b.name, reason: b.reason, skipped: b.skipped, adapter: webgpuAdapterReport() ?? null };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    });

  program
    .command('generate')
    .description('generate text; prints one JSON line per input: {id, input, outputs: [{text, tokens, score}]}')
    .requiredOption('--model <dir>', 'model folder (config.json, model.safetensors, tokenizer.json)')
    .option('--input <text>', 'one input text')
    .option('--inputs <file.jsonl>', 'JSONL with {id, input} per line')
    .option('--max-new-tokens <n>', 'tokens to generate at most', int, 64)
    .option('--num-beams <n>', 'beam width', int, 1)
    .option('--do-sample', 'sample instead of greedy/beam', false)
    .option('--temperature <t>', 'sampling temperature', float, 1)
    .option('--top-k <k>', 'top-k sampling (0 = off)', int, 50)
    .option('--top-p <p>', 'nucleus sampling', float, 1)
    .option('--num-return-sequences <n>', 'sequences per input', int, 1)
    .option('--length-penalty <x>', 'beam length penalty', float, 1)
    .option('--seed <n>', 'sampling seed', int, 0)
    .option('--batch-size <n>', 'inputs per batch', int, 8)
    .option('--backend <name>', 'force a backend (tfjs-node-gpu, webgpu, tfjs-node, native-cpu, wasm, cpu)')
    .action(async (o) => {
      if (!o.input === !o.inputs) throw new UsageError('give exactly one of --input or --inputs');
      const { model, tok } = await setup(o);
      const items = o.input
        ? [{ id: '0', input: o.input as string }]
        : readExamples(o.inputs, { requireTarget: false });
      const causal = model.config.modelType === 'gpt2';
      for (let i = 0; i < items.length; i += o.batchSize) {
        const chunk = items.slice(i, i + o.batchSize);
        const ids = chunk.map((x) => tok.encode(x.input, { addSpecialTokens: !causal }));
        const res = generate(model, ids, {
          maxNewTokens: o.maxNewTokens,
          numBeams: o.numBeams,
          doSample: o.doSample,
          temperature: o.temperature,
          topK: o.topK,
          topP: o.topP,
          numReturnSequences: o.numReturnSequences,
          seed: o.seed,
          lengthPenalty: o.lengthPenalty,
        });
        chunk.forEach((x, j) =>
          process.stdout.write(
            JSON.stringify({
              id: x.id,
              input: x.input,
              outputs: res[j].map((s) => ({ text: tok.decode(s.tokens), tokens: s.tokens, score: s.score })),
            }) + '\n',
          ),
        );
      }
    });

  program
    .command('score')
    .description('teacher-forced mean target-token NLL; prints {id, loss, tokens} per example')
    .requiredOption('--model <dir>', 'model folder')
    .requiredOption('--examples <file.jsonl>', 'JSONL with {id, input, target} per line')
    .option('--batch-size <n>', 'examples per batch', int, 8)
    .option('--backend <name>', 'force a backend')
    .action(async (o) => {
      const { model, tok } = await setup(o);
      const examples = tokenizeExamples(tok, readExamples(o.examples), { causal: model.config.modelType === 'gpt2' });
      for (const s of scoreExamples(model, examples, o.batchSize))
        process.stdout.write(JSON.stringify({ id: s.id, loss: s.loss, tokens: s.tokens }) + '\n');
    });
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.stderr.write(`kard-student: ${describeCliError(err)}\n`);
    process.exitCode = 1;
  }
}
