// The one schema of a KARD run: every key with its type, default, bounds and meaning. The config type
// (z.infer), validation, defaults and the CLI flags (`--student-lr 3e-4`) are all derived from it, so a new
// option is one line here.
import { datasetNameOf, RATIONALE_FORMATS, TEACHER_MODES } from '@kard/cot-data';
import { z } from 'zod';

export const STUDENT_METHODS = ['ft', 'rd', 'kard'] as const;
export type StudentMethod = (typeof STUDENT_METHODS)[number];
export const EVAL_METHODS = ['ft', 'rd', 'kard-bm25', 'kard-reranker', 'kard-oracle'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];
export const BACKENDS = ['auto', 'tfjs-node-gpu', 'webgpu', 'tfjs-node', 'native-cpu', 'wasm', 'cpu'] as const;

/**
 * Metadata of an option added after run folders existed: left out of stage hashes while it has its default,
 * so those folders keep their hashes (the default reproduces what they were made with).
 */
export interface OptionMeta {
  hashOnlyWhenSet?: boolean;
}

const text = () => z.string().min(1);
const int = (min: number, max?: number) => (max === undefined ? z.int().min(min) : z.int().min(min).max(max));
const num = (min: number, max?: number) => (max === undefined ? z.number().min(min) : z.number().min(min).max(max));
/**
 * A section: its keys only (an unknown key is an error); absent, it is read as `{}` (its required keys then say so).
 */
const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as never);

const RunSchema = z.strictObject({
  run: text().describe('output run folder (created; stages resume inside it)'),
  seed: int(0).default(42).describe('seed for splits, initialisation, shuffling and sampling'),
  backend: z.enum(BACKENDS).default('auto').describe('tfjs backend (auto: the fastest that starts)'),
  progress: z.boolean().optional().describe('progress bars on stderr (default: when stderr is a TTY)'),
  dataset: section({
    name: text()
      .optional()
      .describe(
        'dataset name: picks the default instruction and few-shot template (default: told from dataset.train, else ' +
          'dataset.eval: medqa for a MedQA file)',
      ),
    train: text().describe('training questions file'),
    eval: text().describe('evaluation questions file (e.g. StrategyQA dev.json)'),
    format: text().default('auto').describe('question file format (auto: detected)'),
    trainLimit: int(1).optional().describe('use only the first N training questions'),
    evalLimit: int(1).optional().describe('evaluate only the first N questions'),
    validationFraction: num(0, 0.9).default(0.1).describe('share of training questions held out for validation'),
  }),
  knowledge: section({
    corpus: z
      .array(z.string())
      .default([])
      .describe('passage files ({id,title,text} JSONL, Pyserini, BEIR, DPR TSV); or give knowledge.store'),
    store: text()
      .optional()
      .describe(
        'a prebuilt passage store folder (`kard-kb build`), shared by runs instead of building passages/ from ' +
          'knowledge.corpus',
      ),
    index: text()
      .optional()
      .describe(
        'a prebuilt BM25 index folder (`kard-retriever index --corpus <store>/passages.jsonl`) of the same passages, ' +
          'shared by runs instead of building index/',
      ),
    k1: num(0).default(0.9).describe('BM25 k1'),
    b: num(0, 1).default(0.4).describe('BM25 b'),
  }),
  teacher: section({
    rationales: text().optional().describe('teacher rationale file to import'),
    format: z.enum(RATIONALE_FORMATS).default('flan-cot').describe('format of the rationale file'),
    endpoint: text().optional().describe('OpenAI-compatible base URL: generate rationales instead of importing'),
    model: text().optional().describe('teacher model name for generation'),
    samples: int(1).default(10).describe('n: rationales generated per question (10, as KARD)'),
    mode: z
      .enum(TEACHER_MODES)
      .default('rationalise')
      .describe(
        "'rationalise' (KARD's): the teacher is shown the gold answer and explains it, with the dataset's few-shot " +
          "template; kept unless empty or arguing for another option. 'answer': it answers on its own and wrong " +
          'answers are dropped (also how imported zero-shot-CoT logs should be read)',
      ),
    temperature: num(0, 2).default(1).describe("teacher sampling temperature (1: the API's default, KARD's)"),
    maxTokens: int(1)
      .default(256)
      .meta({
        description: 'teacher completion length limit in tokens',
        hashOnlyWhenSet: true,
      } satisfies OptionMeta & { description: string }),
    concurrency: int(1).default(4).describe('teacher requests in flight at once'),
    pricePrompt: num(0).default(0).describe('USD per million prompt tokens (cost in teacher/summary.json and the log)'),
    priceCompletion: num(0).default(0).describe('USD per million completion tokens'),
  }),
  student: section({
    model: text()
      .default('scratch')
      .describe("'scratch' (small T5 from the tokenizer), a model folder, or a Hub id (google/flan-t5-base)"),
    tokenizer: text().default('models/t5-tokenizer').describe('tokenizer folder for a scratch model'),
    methods: z.array(z.enum(STUDENT_METHODS)).min(1).default(['ft', 'rd', 'kard']).describe('students to train'),
    dModel: int(8).default(128).describe('scratch T5: hidden size'),
    dFf: int(8).default(256).describe('scratch T5: feed-forward size'),
    numLayers: int(1).default(2).describe('scratch T5: encoder and decoder layers'),
    numHeads: int(1).default(4).describe('scratch T5: attention heads'),
    vocabSize: int(0)
      .default(0)
      .describe(
        "scratch T5: keep only the N pieces of the tokenizer that the knowledge base's passages use most (plus every " +
          'single character and the special tokens); 0 keeps it whole',
      ),
    vocabFrom: z
      .enum(['knowledge', 'knowledge+questions'])
      .default('knowledge')
      .meta({
        description:
          "scratch T5 with vocabSize: the text whose pieces are kept. 'knowledge': the knowledge base's passages; " +
          "'knowledge+questions': also the training questions as the student reads them (instruction, question, " +
          "options, the prompt's own words), so their words are not spelled in fragments",
        hashOnlyWhenSet: true,
      } satisfies OptionMeta & { description: string }),
    pretrainSteps: int(0)
      .default(0)
      .describe(
        "scratch T5: denoising pre-training steps on the knowledge base's passages before any other training (BART " +
          "text infilling in T5 sentinels; stands in for T5's pre-training)",
      ),
    pretrainLength: int(8).default(64).describe('scratch T5 pre-training: tokens per passage window'),
    pretrainNoise: num(0.01, 0.9)
      .default(0.15)
      .describe('scratch T5 pre-training: share of window tokens masked (in spans of mean length 3)'),
    maxInputTokens: int(16).default(512).describe('input budget in student tokens'),
    maxTargetTokens: int(4).default(256).describe('target (rationale + answer) tokens kept'),
    nKnowledge: int(1).default(1).describe('passages in a KARD training input'),
    steps: int(1).default(1000).describe('optimizer steps per student'),
    baseSteps: int(0)
      .default(0)
      .describe(
        "shared warm start: first train one student this many steps on the teacher's rationales without knowledge " +
          "(the role Flan-T5's CoT instruction tuning plays in the paper); every method then fine-tunes from it " +
          '(0: each starts from `model`)',
      ),
    batchSize: int(1).default(8).describe('examples per step'),
    lr: num(0).default(3e-4).describe('peak AdamW learning rate'),
    warmupRatio: num(0, 1).default(0.05).describe('linear warm-up share of the steps'),
    weightDecay: num(0).default(0.01).describe('AdamW weight decay'),
    checkpointEvery: int(1).default(50).describe('save a resumable checkpoint every N steps'),
    arch: z
      .enum(['t5', 'gpt2'])
      .optional()
      .describe(
        "the student's architecture: a scratch model's (default t5; gpt2 is decoder-only, the reference's --lm_type " +
          "gpt, sized by dModel/dFf/numLayers/numHeads as n_embd/n_inner/n_layer/n_head); a model folder's is read " +
          'from its config.json and, when set, checked',
      ),
  }),
  reranker: section({
    base: text().default('scratch').describe("'scratch' (small BERT) or a BERT folder (LoRA is trained on it)"),
    tokenizer: text()
      .default('models/bert-uncased-tokenizer')
      .describe('WordPiece tokenizer folder for a scratch reranker'),
    init: text()
      .optional()
      .describe(
        "with base 'scratch': start from a saved reranker, e.g. `kard-reranker pretrain`'s inverse-cloze encoder " +
          '(all its weights train; hidden/layers/heads/compressionDim come from it)',
      ),
    hidden: int(8).default(64).describe('scratch BERT hidden size'),
    layers: int(1).default(1).describe('scratch BERT layers'),
    heads: int(1).default(2).describe('scratch BERT heads'),
    candidates: int(2).default(32).describe('BM25 top-k per list in the search space'),
    epochs: int(1).default(3).describe('passes over the training questions'),
    maxSteps: int(1).optional().describe('stop after N steps'),
    batchSize: int(1).default(16).describe('questions per step'),
    k: int(2).default(8).describe('candidates sampled per question per step'),
    lr: num(0).default(1e-4).describe('peak learning rate'),
    queryMaxLength: int(8).default(64).describe('query tokens'),
    passageMaxLength: int(8).default(256).describe('passage tokens'),
    compressionDim: int(4).default(128).describe('ColBERT vector size'),
    checkpointEvery: int(1).default(20).describe('save a resumable checkpoint every N steps'),
    hybrid: z
      .boolean()
      .default(false)
      .describe(
        "add the question's BM25 score, a length prior and a passage prior to late interaction, with learned weights " +
          '(@kard/reranker README)',
      ),
    loss: z
      .enum(['ce', 'kl'])
      .default('ce')
      .describe(
        "objective (reference reranker/main.py --loss_type): 'ce', cross-entropy of softmax(score / tauModel) " +
          "against the candidate the rationale's BM25 scores highest (the reference's default); 'kl', KL from " +
          'softmax(BM25(rationale) / tau) to softmax(score / tauModel)',
      ),
    tau: num(0)
      .default(1)
      .meta({
        description: "kl: initial temperature of the rationale's BM25 distribution (reference --tau)",
        hashOnlyWhenSet: true,
      } satisfies OptionMeta & { description: string }),
    tauModel: num(0)
      .default(100)
      .meta({
        description: "initial temperature of the reranker's scores (reference --model_tau)",
        hashOnlyWhenSet: true,
      } satisfies OptionMeta & { description: string }),
    annealing: z
      .enum(['kard', 'none'])
      .default('kard')
      .describe(
        "kl: temperature schedule, KARD's (crosses zero) or fixed tau, tauModel; ce keeps them fixed, as the " +
          "reference's annealing runs in its kl branch only",
      ),
    ensemble: int(1)
      .default(1)
      .meta({
        description:
          'fine-tune this many rerankers (seeds seed, seed+1, …) and rerank with their mean score (@kard/reranker ' +
          'README: 3 from one inverse-cloze start)',
        hashOnlyWhenSet: true,
      } satisfies OptionMeta & { description: string }),
  }),
  eval: section({
    methods: z
      .array(z.enum(EVAL_METHODS))
      .min(1)
      .default(['ft', 'rd', 'kard-bm25', 'kard-reranker'])
      .describe('methods to evaluate'),
    nDocs: int(1).default(1).describe('passages given to the student (packed whole while the input budget allows)'),
    maxDoc: int(1)
      .default(100)
      .describe('BM25 candidates the reranker reorders (reference generate_predict.py: MAX_DOC = 100)'),
    query: z
      .enum(['question-options', 'question'])
      .default('question-options')
      .describe(
        "retrieval query: 'question-options', \"{question} A. {option} B. {option} ...\" as the reference's " +
          "cache_retrieval.py forms it (StrategyQA too: A. yes B. no); 'question', the question alone",
      ),
    decoding: z
      .enum(['sample', 'greedy', 'beam'])
      .default('sample')
      .describe(
        "'sample': sc rationales sampled with temperature, topK and topP, majority vote (the reference's default); " +
          "'greedy' (the reference's --greedy); 'beam': beam search with numBeams and lengthPenalty",
      ),
    sc: int(1).default(5).describe('self-consistency: rationales sampled per question (reference --self_consistency)'),
    temperature: num(0).default(1).describe('sampling temperature (1: as the reference, which leaves it unset)'),
    topK: int(0).default(50).describe('sampling: keep the k likeliest tokens (0: all)'),
    topP: num(0, 1).default(0.95).describe('sampling: nucleus, the smallest set of tokens with this probability'),
    samplingSeed: int(0).optional().describe('seed of the sampling generator (default: the run seed)'),
    numBeams: int(1).default(4).describe('beam search: beams'),
    lengthPenalty: num(-10, 10).default(1).describe('beam search: score = sum log p / length ** lengthPenalty'),
    oracleRationales: text()
      .optional()
      .describe(
        'kard-oracle: teacher rationales of the evaluation questions, each the BM25 query for its own question ' +
          "(the reference's --ground_truth_doc; teacher.rationales' formats); unset, questions whose dataset carries " +
          'gold facts (StrategyQA facts, OpenBookQA fact) use those',
      ),
    oracleFormat: z.enum(RATIONALE_FORMATS).default('flan-cot').describe('format of eval.oracleRationales'),
    maxNewTokens: int(1).default(128).describe('rationale tokens generated'),
    noRepeatNgramSize: int(0)
      .default(0)
      .describe("never repeat an n-gram of the rationale (Hugging Face's no_repeat_ngram_size; 0 = off, as in KARD)"),
    batchSize: int(1).default(16).describe('questions decoded together'),
    answerFallback: z
      .enum(['score', 'none'])
      .default('score')
      .describe(
        "an unparsable output: 'score' answers with the option the student scores best after its rationale (counted " +
          "in unparsed and scored); 'none' counts it wrong",
      ),
    studentDir: text()
      .optional()
      .describe(
        'a student trained elsewhere (a Hugging Face folder): every method decodes with it instead of ' +
          '<run>/student/<method>, and its training stages are not checked (the run folder needs only the index: ' +
          '`kard-train index`)',
      ),
  }),
});

/**
 * The run config: {@link RunSchema} plus the rules that the passages come from one place (corpus files or a prebuilt
 * store) and that rd and kard students need a teacher.
 */
export const KardConfigSchema = RunSchema.superRefine((c, ctx) => {
  const { corpus, store } = c.knowledge;
  if (!corpus.length && !store)
    ctx.addIssue({
      code: 'custom',
      path: ['knowledge', 'corpus'],
      message: 'required: passage files (knowledge.corpus) or a prebuilt passage store (knowledge.store)',
    });
  if (corpus.length && store)
    ctx.addIssue({
      code: 'custom',
      path: ['knowledge', 'store'],
      message: 'set knowledge.corpus or knowledge.store, not both (the store holds the passages the corpus would)',
    });
  const needsTeacher = c.student.methods.includes('kard') || c.student.methods.includes('rd');
  if (needsTeacher && !c.teacher.rationales && !c.teacher.endpoint) {
    ctx.addIssue({
      code: 'custom',
      path: ['teacher', 'rationales'],
      message:
        'rd and kard students need teacher rationales: set teacher.rationales (import) or teacher.endpoint (generate)',
    });
  }
});

/** A validated run config with every default filled in. */
export type KardConfig = z.infer<typeof KardConfigSchema>;

/**
 * `dataset.name`, else the name the loader gives the training file, else the evaluation file (medqa, obqa,
 * strategyqa, ...; undefined for a generic file or one that cannot be read): a MedQA run gets the medical
 * instruction without saying so. Training and evaluation both use it, so the student sees one instruction.
 */
export function resolvedDatasetName(
  name: unknown,
  train: unknown,
  format: unknown,
  evalFile?: unknown,
): string | undefined {
  if (typeof name === 'string') return name;
  const of = (file: unknown) => {
    if (typeof file !== 'string') return undefined;
    try {
      return datasetNameOf(file, (format ?? 'auto') as 'auto');
    } catch {
      return undefined;
    }
  };
  return of(train) ?? of(evalFile);
}

/** {@link resolvedDatasetName} of a config. */
export function datasetName(cfg: KardConfig): string | undefined {
  const d = cfg.dataset;
  return resolvedDatasetName(d.name, d.train, d.format, d.eval);
}

export type LeafKind = 'string' | 'number' | 'int' | 'boolean' | 'string[]' | 'enum' | 'enum[]';

/** One option of the schema, read off its zod type: what flags, help and error messages need. */
export interface Leaf {
  kind: LeafKind;
  doc: string;
  /** Allowed values for enum kinds. */
  values?: readonly string[];
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Default; a leaf without one (and not `optional`) is required. */
  default?: unknown;
  optional?: boolean;
  meta: OptionMeta;
}

type AnyZod = z.core.$ZodType;
const defOf = (t: AnyZod) => t._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
/** A bound zod keeps when none was set (±Infinity, or the safe-integer range of `z.int()`). */
const bound = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v;

/** The section's keys when `t` is a (possibly defaulted) object, else undefined. */
export function sectionShape(t: AnyZod): Record<string, AnyZod> | undefined {
  const def = defOf(t);
  if (def.type === 'object') return (t as z.ZodObject).shape as Record<string, AnyZod>;
  if (def.type === 'prefault' || def.type === 'default' || def.type === 'optional')
    return sectionShape(def.innerType as AnyZod);
  return undefined;
}

function leafOf(t: AnyZod): Leaf {
  const meta = (z.globalRegistry.get(t) ?? {}) as { description?: string } & OptionMeta;
  const out: Leaf = { kind: 'string', doc: meta.description ?? '', meta: { hashOnlyWhenSet: meta.hashOnlyWhenSet } };
  let inner = t;
  for (;;) {
    const def = defOf(inner);
    if (def.type === 'default') out.default = def.defaultValue;
    else if (def.type === 'optional') out.optional = true;
    else break;
    inner = def.innerType as AnyZod;
  }
  const def = defOf(inner);
  const describe = (u: AnyZod, list: boolean) => {
    const d = defOf(u);
    if (d.type === 'enum') {
      out.kind = list ? 'enum[]' : 'enum';
      out.values = (u as z.ZodEnum).options as string[];
    } else if (d.type === 'number') {
      const n = u as z.ZodNumber;
      out.kind = n.isInt ? 'int' : 'number';
      out.min = bound(n.minValue);
      out.max = bound(n.maxValue);
    } else if (d.type === 'boolean') out.kind = 'boolean';
    else if (d.type === 'string') out.kind = list ? 'string[]' : 'string';
    else throw new Error(`config schema: unsupported option type ${d.type}`);
  };
  if (def.type === 'array') describe(def.element as AnyZod, true);
  else describe(inner, false);
  return out;
}

/** Every option with its dotted path (`student.lr`), in schema order. */
export function schemaLeaves(
  shape: Record<string, AnyZod> = RunSchema.shape,
  prefix = '',
): Array<{ path: string; leaf: Leaf }> {
  return Object.entries(shape).flatMap(([k, t]) => {
    const inner = sectionShape(t);
    return inner ? schemaLeaves(inner, `${prefix}${k}.`) : [{ path: prefix + k, leaf: leafOf(t) }];
  });
}

/** The top-level shape, for walking the schema section by section. */
export const CONFIG_SHAPE: Record<string, AnyZod> = RunSchema.shape;
