import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Embedder } from './embedder';
import { MissingDependencyError } from './errors';

export interface TransformersEmbedderOptions {
  /** How token vectors become one text vector: attention-masked mean, or the first ([CLS]) token. @default 'mean' */
  pooling?: 'mean' | 'cls';
  /** L2-normalise each text vector (what sentence-transformers models expect). @default true */
  normalize?: boolean;
  /**
   * ONNX weights variant in the folder's `onnx/` (`fp32` reads model.onnx, `q8` model_quantized.onnx). @default 'fp32'
   */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';
  /** Texts per forward pass; bigger batches pad more. @default 32 */
  batchSize?: number;
}

/** What the feature-extraction pipeline returns: a [n, dim] tensor. */
interface PooledTensor {
  dims: number[];
  data: ArrayLike<number>;
}
/** The call signature of a transformers.js feature-extraction pipeline (injectable for tests). */
export type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<PooledTensor>;

/**
 * An {@link Embedder} over any local feature-extraction model folder that transformers.js reads
 * (`config.json`, tokenizer files, `onnx/model.onnx`), e.g. an ONNX export of all-MiniLM-L6-v2 or a DPR
 * encoder. Nothing is downloaded: the folder is read with `local_files_only`.
 *
 * @example
 * const embedder = await TransformersEmbedder.fromFolder('/models/all-MiniLM-L6-v2');
 * const [v] = await embedder.embed(['who wrote hamlet']); // Float32Array(384), unit length
 */
export class TransformersEmbedder implements Embedder {
  private constructor(
    readonly dim: number,
    private readonly extract: FeatureExtractor,
    private readonly pooling: 'mean' | 'cls',
    private readonly normalize: boolean,
    private readonly batchSize: number,
  ) {}

  /** Loads the model folder (absolute or relative path) and finds `dim` by embedding one probe text. */
  static async fromFolder(folder: string, options: TransformersEmbedderOptions = {}): Promise<TransformersEmbedder> {
    const transformers = loadTransformers();
    const extract = (await transformers.pipeline('feature-extraction', resolve(folder), {
      local_files_only: true,
      dtype: options.dtype ?? 'fp32',
    })) as unknown as FeatureExtractor;
    return TransformersEmbedder.fromPipeline(extract, options);
  }

  /** Wraps an already-built feature-extraction pipeline (or anything with its call signature). */
  static async fromPipeline(
    extract: FeatureExtractor,
    options: TransformersEmbedderOptions = {},
  ): Promise<TransformersEmbedder> {
    const { pooling = 'mean', normalize = true, batchSize = 32 } = options;
    const probe = await extract(['dimension probe'], { pooling, normalize });
    return new TransformersEmbedder(probe.dims[1], extract, pooling, normalize, batchSize);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize);
      const t = await this.extract(batch, { pooling: this.pooling, normalize: this.normalize });
      if (t.dims.length !== 2 || t.dims[0] !== batch.length || t.dims[1] !== this.dim) {
        throw new Error(`feature-extraction returned shape [${t.dims}] for ${batch.length} texts of dim ${this.dim}`);
      }
      const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
      for (let r = 0; r < batch.length; r++) out.push(data.slice(r * this.dim, (r + 1) * this.dim));
    }
    return out;
  }
}

interface TransformersModule {
  pipeline(task: string, model: string, options: Record<string, unknown>): Promise<unknown>;
}

function loadTransformers(): TransformersModule {
  try {
    return createRequire(__filename)('@huggingface/transformers') as TransformersModule;
  } catch (err) {
    throw new MissingDependencyError(
      '@huggingface/transformers',
      'TransformersEmbedder needs @huggingface/transformers (v4): `npm install @huggingface/transformers`. ' +
        `Loading it failed: ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
}
