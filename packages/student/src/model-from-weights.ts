// A student model from its parsed config and its tensors, however they were read: from a folder (pretrained.ts) or
// fetched by a browser. No Node built-ins.
import { StateDictError, type NamedArray } from '@kard/nn';
import type { ModelConfig } from './config';
import { ModelLoadError } from './errors';
import { Gpt2LMHeadModel } from './gpt2/model';
import { T5ForConditionalGeneration } from './t5/model';

export type StudentModel = T5ForConditionalGeneration | Gpt2LMHeadModel;

/** Builds a randomly initialised model (HF's init distributions, drawn from `seed`). */
export function createModel(config: ModelConfig, seed = 0): StudentModel {
  return config.modelType === 't5' ? new T5ForConditionalGeneration(config, seed) : new Gpt2LMHeadModel(config, seed);
}

/** Renames checkpoint keys the way transformers does when loading, and lists the keys it ignores. */
function normalizeKeys(
  model: StudentModel,
  tensors: Map<string, NamedArray>,
): { tensors: Map<string, NamedArray>; ignore: RegExp[] } {
  if (model instanceof T5ForConditionalGeneration) {
    if (!tensors.has('shared.weight')) {
      const alias = tensors.get('encoder.embed_tokens.weight') ?? tensors.get('decoder.embed_tokens.weight');
      if (alias) tensors.set('shared.weight', alias);
    }
    const ignore = [
      /^(encoder|decoder)\.embed_tokens\.weight$/,
      /^decoder\.block\.0\.layer\.1\.EncDecAttention\.relative_attention_bias\.weight$/,
    ];
    if (model.config.tieWordEmbeddings) ignore.push(/^lm_head\.weight$/);
    return { tensors, ignore };
  }
  // Checkpoints saved from GPT2Model (e.g. the original `gpt2`) lack the `transformer.` prefix.
  if (![...tensors.keys()].some((k) => k.startsWith('transformer.'))) {
    tensors = new Map([...tensors].map(([k, v]) => [k === 'lm_head.weight' ? k : `transformer.${k}`, v]));
  }
  return { tensors, ignore: [/\.attn\.(masked_)?bias$/, /^lm_head\.weight$/] };
}

/**
 * transformers 5 writes `tie_word_embeddings: true` for every T5 (it forces the flag) and keeps a model untied when the
 * checkpoint's lm_head.weight differs from shared.weight, as in Flan-T5 folders it saves. Do the same.
 */
function untieIfHeadDiffers(config: ModelConfig, tensors: Map<string, NamedArray>): ModelConfig {
  if (config.modelType !== 't5' || !config.tieWordEmbeddings) return config;
  const head = tensors.get('lm_head.weight');
  const shared = tensors.get('shared.weight') ?? tensors.get('encoder.embed_tokens.weight');
  if (!head || !shared || sameValues(head.values, shared.values)) return config;
  return { ...config, tieWordEmbeddings: false };
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The model `config` describes with the checkpoint's `tensors` loaded (keys renamed as transformers does); a missing
 * or unexplained tensor is a ModelLoadError naming `weightsFile`.
 */
export function modelFromWeights(
  config: ModelConfig,
  tensors: Map<string, NamedArray>,
  weightsFile: string,
): StudentModel {
  const model = createModel(untieIfHeadDiffers(config, tensors));
  try {
    const { tensors: named, ignore } = normalizeKeys(model, tensors);
    const { missing, unexpected } = model.loadStateDict(named, { ignore });
    if (missing.length)
      throw new ModelLoadError(
        `checkpoint lacks ${missing.length} tensor(s) the config implies: ` +
          `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
        weightsFile,
      );
    if (unexpected.length)
      throw new ModelLoadError(
        `checkpoint has tensor(s) the config does not explain: ` +
          `${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''}`,
        weightsFile,
      );
  } catch (err) {
    model.dispose();
    if (err instanceof StateDictError)
      throw new ModelLoadError(`${err.message} (config.json disagrees with the weights)`, weightsFile);
    throw err;
  }
  return model;
}
