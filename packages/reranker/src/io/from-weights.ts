// A saved reranker put back together from its parts however they were read (a folder: save.ts; fetched bytes in a
// browser): the config, the base encoder, the adapter tensors and PEFT's LoRA config. No Node built-ins.
import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray } from '@kard/nn';
import { KardError } from '@kard/core';
import type { BertEncoder } from '../bert/model';
import { LoraAdapters, type LoraConfig } from '../bert/lora';
import { ColbertModel, HYBRID_INIT } from '../colbert/model';

export const PEFT_PREFIX = 'base_model.model.';

export interface RerankerConfigFile {
  format: 'kard-reranker';
  version: 1;
  /** `lora`: frozen base + adapters; `head`: frozen base, only the compressor; `full`: encoder trained too. */
  mode: 'lora' | 'head' | 'full';
  /** Base model folder (LoRA/head modes), as given at save time; `encoder` (inside this folder) in full mode. */
  base_model: string;
  hidden_size: number;
  compression_dim: number;
  query_max_length: number;
  passage_max_length: number;
  /**
   * Hybrid scoring (late interaction + BM25(question) + length and passage priors: `mix.weight`, `mix.prior`); absent =
   * false.
   */
  hybrid?: boolean;
}

/** Thrown when a saved reranker cannot be put back together (bad config, base model that does not fit the head). */
export class RerankerLoadError extends KardError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'RerankerLoadError';
  }
}

/** adapter_config.json of a LoRA reranker (PEFT's LoraConfig, the fields we read). */
export interface PeftLoraConfig {
  r: number;
  lora_alpha: number;
  lora_dropout: number;
  target_modules: LoraConfig['targetModules'];
}

/** Checks a parsed reranker_config.json (`file` names it in the error). */
export function checkRerankerConfig(cfg: RerankerConfigFile, file: string): RerankerConfigFile {
  if (cfg?.format !== 'kard-reranker')
    throw new RerankerLoadError(`not a kard-reranker config (format ${JSON.stringify(cfg?.format)})`, file);
  return cfg;
}

/**
 * The ColbertModel of a saved reranker from its parts: `encoder` is its base (or its own trained encoder), `adapter`
 * the tensors of adapter_model.safetensors, `peft` its adapter_config.json (LoRA mode). `files` name the parts in
 * errors. Disposes `encoder` when it throws.
 */
export function rerankerFromWeights(
  cfg: RerankerConfigFile,
  encoder: BertEncoder,
  adapter: Map<string, NamedArray>,
  peft: PeftLoraConfig | undefined,
  files: { config: string; adapter: string; base: string },
): ColbertModel {
  try {
    if (encoder.config.hidden_size !== cfg.hidden_size) {
      throw new RerankerLoadError(
        `base model ${files.base} has hidden size ${encoder.config.hidden_size}, but the saved head expects ` +
          `${cfg.hidden_size}`,
        files.config,
      );
    }
    const file = files.adapter;
    const get = (name: string, shape: number[]): tf.Variable => {
      const arr = adapter.get(PEFT_PREFIX + name);
      if (!arr) throw new RerankerLoadError(`missing tensor "${PEFT_PREFIX + name}"`, file);
      if (!tf.util.arraysEqual(arr.shape, shape))
        throw new RerankerLoadError(`tensor "${name}" has shape [${arr.shape}], expected [${shape}]`, file);
      return tf.variable(tf.tensor(Float32Array.from(arr.values), shape), false);
    };
    const H = cfg.hidden_size;
    const compressor = {
      weight: get('compressor.weight', [cfg.compression_dim, H]),
      bias: get('compressor.bias', [cfg.compression_dim]),
    };
    if (cfg.mode === 'lora') {
      if (!peft) throw new RerankerLoadError('a LoRA reranker needs its adapter_config.json', files.config);
      const lc: LoraConfig = {
        r: peft.r,
        alpha: peft.lora_alpha,
        dropout: peft.lora_dropout,
        targetModules: peft.target_modules,
      };
      const a = new Map<string, tf.Variable>();
      const b = new Map<string, tf.Variable>();
      for (let i = 0; i < encoder.config.num_hidden_layers; i++) {
        for (const m of lc.targetModules) {
          const name = `encoder.layer.${i}.attention.self.${m}`;
          a.set(name, get(`bert.${name}.lora_A.weight`, [lc.r, H]));
          b.set(name, get(`bert.${name}.lora_B.weight`, [H, lc.r]));
        }
      }
      encoder.lora = new LoraAdapters(lc, a, b);
    }
    const hybrid = cfg.hybrid ?? false;
    return new ColbertModel(
      encoder,
      compressor,
      {
        compressionDim: cfg.compression_dim,
        queryMaxLength: cfg.query_max_length,
        passageMaxLength: cfg.passage_max_length,
        hybrid,
      },
      hybrid
        ? { weight: get('mix.weight', [HYBRID_INIT.length]), prior: get('mix.prior', [cfg.compression_dim]) }
        : null,
    );
  } catch (err) {
    encoder.dispose();
    throw err;
  }
}
