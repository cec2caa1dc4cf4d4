import { ModelLoadError } from './errors';

/** T5's config.json fields we use (names as in Hugging Face's T5Config). */
export interface T5Config {
  modelType: 't5';
  vocabSize: number;
  dModel: number;
  dKv: number;
  dFf: number;
  numLayers: number;
  numDecoderLayers: number;
  numHeads: number;
  relativeAttentionNumBuckets: number;
  relativeAttentionMaxDistance: number;
  dropoutRate: number;
  layerNormEpsilon: number;
  initializerFactor: number;
  /** 'relu' (v1.0), 'gated-gelu' (v1.1 / Flan-T5), or '[gated-]{relu,gelu,gelu_new,silu}'. */
  feedForwardProj: string;
  /** v1.0 ties lm_head to the shared embedding (and scales by d_model**-0.5); v1.1 does not. */
  tieWordEmbeddings: boolean;
  /**
   * Rescale the decoder output by d_model**-0.5 before the vocabulary projection. transformers 4 ties this to
   * `tie_word_embeddings`; transformers 5 writes it as its own field (`scale_decoder_outputs`), which wins when
   * present.
   */
  scaleDecoderOutputs: boolean;
  padTokenId: number;
  eosTokenId: number;
  decoderStartTokenId: number;
  /** The config.json we read, kept so unknown fields survive a save. */
  raw?: Record<string, unknown>;
}

/** GPT-2's config.json fields we use (names as in Hugging Face's GPT2Config). */
export interface Gpt2Config {
  modelType: 'gpt2';
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  /** MLP width; HF's null means 4 * n_embd. */
  nInner: number;
  activationFunction: string;
  residPdrop: number;
  embdPdrop: number;
  attnPdrop: number;
  layerNormEpsilon: number;
  initializerRange: number;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  raw?: Record<string, unknown>;
}

export type ModelConfig = T5Config | Gpt2Config;

export function t5Config(partial: Partial<T5Config> & { vocabSize: number }): T5Config {
  return {
    modelType: 't5',
    dModel: 512,
    dKv: 64,
    dFf: 2048,
    numLayers: 6,
    numHeads: 8,
    relativeAttentionNumBuckets: 32,
    relativeAttentionMaxDistance: 128,
    dropoutRate: 0.1,
    layerNormEpsilon: 1e-6,
    initializerFactor: 1,
    feedForwardProj: 'relu',
    tieWordEmbeddings: true,
    padTokenId: 0,
    eosTokenId: 1,
    decoderStartTokenId: 0,
    ...partial,
    scaleDecoderOutputs: partial.scaleDecoderOutputs ?? partial.tieWordEmbeddings ?? true,
    numDecoderLayers: partial.numDecoderLayers ?? partial.numLayers ?? 6,
  };
}

export function gpt2Config(partial: Partial<Gpt2Config> & { vocabSize: number }): Gpt2Config {
  const nEmbd = partial.nEmbd ?? 768;
  return {
    modelType: 'gpt2',
    nPositions: 1024,
    nEmbd,
    nLayer: 12,
    nHead: 12,
    nInner: 4 * nEmbd,
    activationFunction: 'gelu_new',
    residPdrop: 0.1,
    embdPdrop: 0.1,
    attnPdrop: 0.1,
    layerNormEpsilon: 1e-5,
    initializerRange: 0.02,
    bosTokenId: 50256,
    eosTokenId: 50256,
    padTokenId: partial.eosTokenId ?? 50256,
    ...partial,
  };
}

function num(raw: Record<string, unknown>, key: string, file: string, fallback?: number): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ModelLoadError(`"${key}" must be a number, got ${JSON.stringify(raw[key])}`, file);
  return v;
}

const SUPPORTED = ['T5ForConditionalGeneration', 'GPT2LMHeadModel'];

/** Reads a Hugging Face config.json object; unsupported architectures are an error naming `file`. */
export function parseConfig(raw: Record<string, unknown>, file: string): ModelConfig {
  const archs = raw.architectures as string[] | undefined;
  if (archs && !archs.some((a) => SUPPORTED.includes(a))) {
    throw new ModelLoadError(
      `unsupported architecture ${JSON.stringify(archs)} (supported: ${SUPPORTED.join(', ')})`,
      file,
    );
  }
  if (raw.model_type === 't5') {
    const tie = (raw.tie_word_embeddings as boolean | undefined) ?? true;
    const numLayers = num(raw, 'num_layers', file, 6);
    return {
      modelType: 't5',
      vocabSize: num(raw, 'vocab_size', file),
      dModel: num(raw, 'd_model', file, 512),
      dKv: num(raw, 'd_kv', file, 64),
      dFf: num(raw, 'd_ff', file, 2048),
      numLayers,
      numDecoderLayers: num(raw, 'num_decoder_layers', file, numLayers),
      numHeads: num(raw, 'num_heads', file, 8),
      relativeAttentionNumBuckets: num(raw, 'relative_attention_num_buckets', file, 32),
      relativeAttentionMaxDistance: num(raw, 'relative_attention_max_distance', file, 128),
      dropoutRate: num(raw, 'dropout_rate', file, 0.1),
      layerNormEpsilon: num(raw, 'layer_norm_epsilon', file, 1e-6),
      initializerFactor: num(raw, 'initializer_factor', file, 1),
      feedForwardProj: (raw.feed_forward_proj as string) ?? 'relu',
      tieWordEmbeddings: tie,
      scaleDecoderOutputs: typeof raw.scale_decoder_outputs === 'boolean' ? raw.scale_decoder_outputs : tie,
      padTokenId: num(raw, 'pad_token_id', file, 0),
      eosTokenId: num(raw, 'eos_token_id', file, 1),
      decoderStartTokenId: num(raw, 'decoder_start_token_id', file, 0),
      raw,
    };
  }
  if (raw.model_type === 'gpt2') {
    const nEmbd = num(raw, 'n_embd', file, 768);
    const eos = num(raw, 'eos_token_id', file, 50256);
    return {
      modelType: 'gpt2',
      vocabSize: num(raw, 'vocab_size', file),
      nPositions: num(raw, 'n_positions', file, 1024),
      nEmbd,
      nLayer: num(raw, 'n_layer', file, 12),
      nHead: num(raw, 'n_head', file, 12),
      nInner: raw.n_inner == null ? 4 * nEmbd : num(raw, 'n_inner', file),
      activationFunction: (raw.activation_function as string) ?? 'gelu_new',
      residPdrop: num(raw, 'resid_pdrop', file, 0.1),
      embdPdrop: num(raw, 'embd_pdrop', file, 0.1),
      attnPdrop: num(raw, 'attn_pdrop', file, 0.1),
      layerNormEpsilon: num(raw, 'layer_norm_epsilon', file, 1e-5),
      initializerRange: num(raw, 'initializer_range', file, 0.02),
      bosTokenId: num(raw, 'bos_token_id', file, 50256),
      eosTokenId: eos,
      padTokenId: raw.pad_token_id == null ? eos : num(raw, 'pad_token_id', file),
      raw,
    };
  }
  throw new ModelLoadError(`unsupported model_type ${JSON.stringify(raw.model_type)} (supported: t5, gpt2)`, file);
}

/** The config.json Python transformers expects, keeping fields we do not model. */
export function configToJson(c: ModelConfig): Record<string, unknown> {
  if (c.modelType === 't5') {
    const [first, ...rest] = c.feedForwardProj.split('-');
    const gated = first === 'gated';
    let act = gated ? rest.join('-') : first;
    if (c.feedForwardProj === 'gated-gelu') act = 'gelu_new';
    return {
      ...c.raw,
      architectures: ['T5ForConditionalGeneration'],
      model_type: 't5',
      vocab_size: c.vocabSize,
      d_model: c.dModel,
      d_kv: c.dKv,
      d_ff: c.dFf,
      num_layers: c.numLayers,
      num_decoder_layers: c.numDecoderLayers,
      num_heads: c.numHeads,
      relative_attention_num_buckets: c.relativeAttentionNumBuckets,
      relative_attention_max_distance: c.relativeAttentionMaxDistance,
      dropout_rate: c.dropoutRate,
      layer_norm_epsilon: c.layerNormEpsilon,
      initializer_factor: c.initializerFactor,
      feed_forward_proj: c.feedForwardProj,
      dense_act_fn: act,
      is_gated_act: gated,
      tie_word_embeddings: c.tieWordEmbeddings,
      scale_decoder_outputs: c.scaleDecoderOutputs,
      pad_token_id: c.padTokenId,
      eos_token_id: c.eosTokenId,
      decoder_start_token_id: c.decoderStartTokenId,
      is_encoder_decoder: true,
      use_cache: true,
      torch_dtype: 'float32',
    };
  }
  return {
    ...c.raw,
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.nPositions,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.nInner,
    activation_function: c.activationFunction,
    resid_pdrop: c.residPdrop,
    embd_pdrop: c.embdPdrop,
    attn_pdrop: c.attnPdrop,
    layer_norm_epsilon: c.layerNormEpsilon,
    initializer_range: c.initializerRange,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    pad_token_id: c.padTokenId,
    tie_word_embeddings: true,
    use_cache: true,
    torch_dtype: 'float32',
  };
}
