// The one schema of a KARD run: every key with its type, default and meaning. Validation, defaults and the
// CLI flags (`--student-lr 3e-4`) are all derived from it, so a new option is one line here.

export type LeafKind = 'string' | 'number' | 'int' | 'boolean' | 'string[]' | 'enum' | 'enum[]';

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
}

export interface Section {
  [key: string]: Leaf | Section;
}

export const STUDENT_METHODS = ['ft', 'rd', 'kard'] as const;
export type StudentMethod = (typeof STUDENT_METHODS)[number];
export const EVAL_METHODS = ['ft', 'rd', 'kard-bm25', 'kard-reranker'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];
export const BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'native-cpu', 'wasm', 'cpu'] as const;
export const RATIONALE_FORMATS = ['flan-cot', 'jsonl', 'zero-shot-cot', 'generation-cache'] as const;

export const SCHEMA: Section = {
  run: { kind: 'string', doc: 'output run folder (created; stages resume inside it)' },
  seed: { kind: 'int', default: 42, min: 0, doc: 'seed for splits, initialisation, shuffling and sampling' },
  backend: { kind: 'enum', values: BACKENDS, default: 'auto', doc: 'tfjs backend (auto: the fastest that starts)' },
  progress: { kind: 'boolean', optional: true, doc: 'progress bars on stderr (default: when stderr is a TTY)' },
  dataset: {
    name: { kind: 'string', default: 'strategyqa', doc: 'dataset name (picks the default instruction)' },
    train: { kind: 'string', doc: 'training questions file' },
    eval: { kind: 'string', doc: 'evaluation questions file (e.g. StrategyQA dev.json)' },
    format: { kind: 'string', default: 'auto', doc: 'question file format (auto: detected)' },
    trainLimit: { kind: 'int', min: 1, optional: true, doc: 'use only the first N training questions' },
    evalLimit: { kind: 'int', min: 1, optional: true, doc: 'evaluate only the first N questions' },
    validationFraction: { kind: 'number', min: 0, max: 0.9, default: 0.1, doc: 'share of training questions held out for validation' },
  },
  knowledge: {
    corpus: { kind: 'string[]', doc: 'passage files ({id,title,text} JSONL, Pyserini, BEIR, DPR TSV)' },
    k1: { kind: 'number', min: 0, default: 0.9, doc: 'BM25 k1' },
    b: { kind: 'number', min: 0, max: 1, default: 0.4, doc: 'BM25 b' },
  },
  teacher: {
    rationales: { kind: 'string', optional: true, doc: 'teacher rationale file to import' },
    format: { kind: 'enum', values: RATIONALE_FORMATS, default: 'flan-cot', doc: 'format of the rationale file' },
    endpoint: { kind: 'string', optional: true, doc: 'OpenAI-compatible base URL: generate rationales instead of importing' },
    model: { kind: 'string', optional: true, doc: 'teacher model name for generation' },
    samples: { kind: 'int', min: 1, default: 1, doc: 'rationales generated per question' },
  },
  student: {
    model: { kind: 'string', default: 'scratch', doc: "'scratch' (small T5 from the tokenizer), a model folder, or a Hub id (google/flan-t5-base)" },
    tokenizer: { kind: 'string', default: 'models/t5-tokenizer', doc: 'tokenizer folder for a scratch model' },
    methods: { kind: 'enum[]', values: STUDENT_METHODS, default: ['ft', 'rd', 'kard'], doc: 'students to train' },
    dModel: { kind: 'int', min: 8, default: 128, doc: 'scratch T5: hidden size' },
    dFf: { kind: 'int', min: 8, default: 256, doc: 'scratch T5: feed-forward size' },
    numLayers: { kind: 'int', min: 1, default: 2, doc: 'scratch T5: encoder and decoder layers' },
    numHeads: { kind: 'int', min: 1, default: 4, doc: 'scratch T5: attention heads' },
    vocabSize: { kind: 'int', min: 0, default: 0, doc: "scratch T5: keep only the N pieces of the tokenizer that the knowledge base's passages use most (plus every single character and the special tokens); 0 keeps it whole" },
    pretrainSteps: { kind: 'int', min: 0, default: 0, doc: "scratch T5: denoising pre-training steps on the knowledge base's passages before any other training (BART text infilling in T5 sentinels; stands in for T5's pre-training)" },
    pretrainLength: { kind: 'int', min: 8, default: 64, doc: 'scratch T5 pre-training: tokens per passage window' },
    pretrainNoise: { kind: 'number', min: 0.01, max: 0.9, default: 0.15, doc: 'scratch T5 pre-training: share of window tokens masked (in spans of mean length 3)' },
    maxInputTokens: { kind: 'int', min: 16, default: 512, doc: 'input budget in student tokens' },
    maxTargetTokens: { kind: 'int', min: 4, default: 256, doc: 'target (rationale + answer) tokens kept' },
    nKnowledge: { kind: 'int', min: 1, default: 1, doc: 'passages in a KARD training input' },
    steps: { kind: 'int', min: 1, default: 1000, doc: 'optimizer steps per student' },
    baseSteps: { kind: 'int', min: 0, default: 0, doc: "shared warm start: first train one student this many steps on the teacher's rationales without knowledge (the role Flan-T5's CoT instruction tuning plays in the paper); every method then fine-tunes from it (0: each starts from `model`)" },
    batchSize: { kind: 'int', min: 1, default: 8, doc: 'examples per step' },
    lr: { kind: 'number', min: 0, default: 3e-4, doc: 'peak AdamW learning rate' },
    warmupRatio: { kind: 'number', min: 0, max: 1, default: 0.05, doc: 'linear warm-up share of the steps' },
    weightDecay: { kind: 'number', min: 0, default: 0.01, doc: 'AdamW weight decay' },
    checkpointEvery: { kind: 'int', min: 1, default: 50, doc: 'save a resumable checkpoint every N steps' },
  },
  reranker: {
    base: { kind: 'string', default: 'scratch', doc: "'scratch' (small BERT) or a BERT folder (LoRA is trained on it)" },
    tokenizer: { kind: 'string', default: 'models/bert-uncased-tokenizer', doc: 'WordPiece tokenizer folder for a scratch reranker' },
    init: { kind: 'string', optional: true, doc: "with base 'scratch': start from a saved reranker, e.g. `kard-reranker pretrain`'s inverse-cloze encoder (all its weights train; hidden/layers/heads/compressionDim come from it)" },
    hidden: { kind: 'int', min: 8, default: 64, doc: 'scratch BERT hidden size' },
    layers: { kind: 'int', min: 1, default: 1, doc: 'scratch BERT layers' },
    heads: { kind: 'int', min: 1, default: 2, doc: 'scratch BERT heads' },
    candidates: { kind: 'int', min: 2, default: 32, doc: 'BM25 top-k per list in the search space' },
    epochs: { kind: 'int', min: 1, default: 3, doc: 'passes over the training questions' },
    maxSteps: { kind: 'int', min: 1, optional: true, doc: 'stop after N steps' },
    batchSize: { kind: 'int', min: 1, default: 16, doc: 'questions per step' },
    k: { kind: 'int', min: 2, default: 8, doc: 'candidates sampled per question per step' },
    lr: { kind: 'number', min: 0, default: 1e-4, doc: 'peak learning rate' },
    queryMaxLength: { kind: 'int', min: 8, default: 64, doc: 'query tokens' },
    passageMaxLength: { kind: 'int', min: 8, default: 256, doc: 'passage tokens' },
    compressionDim: { kind: 'int', min: 4, default: 128, doc: 'ColBERT vector size' },
    checkpointEvery: { kind: 'int', min: 1, default: 20, doc: 'save a resumable checkpoint every N steps' },
    hybrid: { kind: 'boolean', default: false, doc: "add the question's BM25 score, a length prior and a passage prior to late interaction, with learned weights (@kard/reranker README)" },
    annealing: { kind: 'enum', values: ['kard', 'none'], default: 'kard', doc: "temperature schedule: KARD's (crosses zero), or fixed τ = 1, τ_model = 100" },
    ensemble: { kind: 'int', min: 1, default: 1, doc: 'fine-tune this many rerankers (seeds seed, seed+1, …) and rerank with their mean score (@kard/reranker README: 3 from one inverse-cloze start)' },
  },
  eval: {
    methods: { kind: 'enum[]', values: EVAL_METHODS, default: ['ft', 'rd', 'kard-bm25', 'kard-reranker'], doc: 'methods to evaluate' },
    nDocs: { kind: 'int', min: 1, default: 1, doc: 'passages given to the student' },
    maxDoc: { kind: 'int', min: 1, default: 20, doc: 'BM25 candidates the reranker reorders' },
    sc: { kind: 'int', min: 1, default: 1, doc: 'self-consistency: sampled rationales per question (1: greedy)' },
    temperature: { kind: 'number', min: 0, default: 0.7, doc: 'sampling temperature for self-consistency' },
    maxNewTokens: { kind: 'int', min: 1, default: 128, doc: 'rationale tokens generated' },
    noRepeatNgramSize: { kind: 'int', min: 0, default: 0, doc: "never repeat an n-gram of the rationale (Hugging Face's no_repeat_ngram_size; 0 = off, as in KARD)" },
    batchSize: { kind: 'int', min: 1, default: 16, doc: 'questions decoded together' },
    answerFallback: { kind: 'enum', values: ['score', 'none'], default: 'score', doc: "an unparsable output: 'score' answers with the option the student scores best after its rationale (counted in unparsed and scored); 'none' counts it wrong" },
  },
};

export interface KardConfig {
  run: string;
  seed: number;
  backend: (typeof BACKENDS)[number];
  progress?: boolean;
  dataset: { name: string; train: string; eval: string; format: string; trainLimit?: number; evalLimit?: number; validationFraction: number };
  knowledge: { corpus: string[]; k1: number; b: number };
  teacher: { rationales?: string; format: (typeof RATIONALE_FORMATS)[number]; endpoint?: string; model?: string; samples: number };
  student: {
    model: string; tokenizer: string; methods: StudentMethod[];
    dModel: number; dFf: number; numLayers: number; numHeads: number;
    vocabSize: number; pretrainSteps: number; pretrainLength: number; pretrainNoise: number;
    maxInputTokens: number; maxTargetTokens: number; nKnowledge: number;
    steps: number; baseSteps: number; batchSize: number; lr: number; warmupRatio: number; weightDecay: number; checkpointEvery: number;
  };
  reranker: {
    base: string; tokenizer: string; init?: string; hidden: number; layers: number; heads: number; candidates: number;
    epochs: number; maxSteps?: number; batchSize: number; k: number; lr: number;
    queryMaxLength: number; passageMaxLength: number; compressionDim: number; checkpointEvery: number;
    hybrid: boolean; annealing: 'kard' | 'none'; ensemble: number;
  };
  eval: { methods: EvalMethod[]; nDocs: number; maxDoc: number; sc: number; temperature: number; maxNewTokens: number; noRepeatNgramSize: number; batchSize: number; answerFallback: 'score' | 'none' };
}

export function isLeaf(x: Leaf | Section): x is Leaf {
  return typeof (x as Leaf).kind === 'string' && typeof (x as Leaf).doc === 'string';
}

/** Every leaf with its dotted path (`student.lr`), in schema order. */
export function schemaLeaves(section: Section = SCHEMA, prefix = ''): Array<{ path: string; leaf: Leaf }> {
  return Object.entries(section).flatMap(([k, v]) => (isLeaf(v) ? [{ path: prefix + k, leaf: v }] : schemaLeaves(v, `${prefix}${k}.`)));
}
