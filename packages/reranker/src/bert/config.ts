import { KardError } from '@kard/core';
/** The fields of a Hugging Face `BertConfig` (config.json) that the encoder reads. Names mirror the JSON. */
export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  /** LayerNorm epsilon; BERT checkpoints use 1e-12. */
  layer_norm_eps: number;
  /** Only HF's "gelu" (the exact erf form) is supported, as in BERT, LinkBERT and MiniLM. */
  hidden_act: string;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  pad_token_id: number;
  initializer_range: number;
}

/** Thrown when a config.json cannot describe a BERT encoder this package runs. */
export class BertConfigError extends KardError {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'BertConfigError';
  }
}

const DEFAULTS: Omit<
  BertConfig,
  'vocab_size' | 'hidden_size' | 'num_hidden_layers' | 'num_attention_heads' | 'intermediate_size'
> = {
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  pad_token_id: 0,
  initializer_range: 0.02,
};

/** Reads a parsed config.json, filling Hugging Face's defaults and rejecting what the encoder cannot run. */
export function parseBertConfig(json: Record<string, unknown>, file?: string): BertConfig {
  const cfg = { ...DEFAULTS, ...json } as BertConfig & { position_embedding_type?: string };
  for (const key of [
    'vocab_size',
    'hidden_size',
    'num_hidden_layers',
    'num_attention_heads',
    'intermediate_size',
  ] as const) {
    if (typeof cfg[key] !== 'number' || !Number.isInteger(cfg[key]) || cfg[key] < 0) {
      throw new BertConfigError(`"${key}" must be a non-negative integer, got ${JSON.stringify(cfg[key])}`, file);
    }
  }
  if (cfg.hidden_size % cfg.num_attention_heads !== 0) {
    throw new BertConfigError(
      `hidden_size ${cfg.hidden_size} is not a multiple of num_attention_heads ${cfg.num_attention_heads}`,
      file,
    );
  }
  if (cfg.hidden_act !== 'gelu')
    throw new BertConfigError(`hidden_act "${cfg.hidden_act}" is not supported (only "gelu")`, file);
  if (cfg.position_embedding_type !== undefined && cfg.position_embedding_type !== 'absolute') {
    throw new BertConfigError(`position_embedding_type "${cfg.position_embedding_type}" is not supported`, file);
  }
  return cfg;
}

/** A small BERT for training from scratch on a CPU: a few layers, narrow, with the given WordPiece vocabulary size. */
export function smallBertConfig(overrides: Partial<BertConfig> = {}): BertConfig {
  return parseBertConfig({
    vocab_size: 30522,
    hidden_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 128,
    ...overrides,
  });
}

/**
 * The from-scratch encoder's shape from the CLIs' two size flags: a feed-forward of twice the width and one head
 * per 32 dimensions (BERT-base keeps 64 per head; a smaller head count suits the tiny widths trained here).
 */
export function scratchBertShape(o: { hidden: number; layers: number }): Partial<BertConfig> {
  return {
    hidden_size: o.hidden,
    num_hidden_layers: o.layers,
    intermediate_size: 2 * o.hidden,
    num_attention_heads: Math.max(1, o.hidden / 32),
  };
}
