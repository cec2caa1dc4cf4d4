import * as tf from '@tensorflow/tfjs-core';
import '../autodiff';
import type { NamedArray } from '../safetensors';

/** A parameter name that a checkpoint and a module disagree on, or a shape that does not fit. */
export class StateDictError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'StateDictError';
  }
}

export interface LoadResult {
  /** Module parameters the checkpoint did not provide (left at their initial values). */
  missing: string[];
  /** Checkpoint tensors no parameter took. */
  unexpected: string[];
}

/**
 * A tree of named parameters, like torch.nn.Module: parameter names are the dotted paths of the
 * attributes (`encoder.block.0.layer.0.SelfAttention.q.weight`), so they match Hugging Face checkpoints.
 * A module registered under two names (tied weights) is listed once, under its first name.
 */
export class Module {
  private readonly ownParams = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  protected addParam(name: string, init: tf.Tensor, trainable = true): tf.Variable {
    if (this.ownParams.has(name)) throw new Error(`parameter "${name}" registered twice`);
    const v = tf.variable(init, trainable);
    init.dispose();
    this.ownParams.set(name, v);
    return v;
  }

  protected addModule<M extends Module>(name: string, m: M): M {
    if (this.children.has(name)) throw new Error(`module "${name}" registered twice`);
    this.children.set(name, m);
    return m;
  }

  /** All parameters by their full dotted name, in registration order. */
  namedParameters(prefix = ''): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    const seen = new Set<tf.Variable>();
    const walk = (m: Module, p: string) => {
      for (const [n, v] of m.ownParams) {
        if (seen.has(v)) continue;
        seen.add(v);
        out.set(p + n, v);
      }
      for (const [n, c] of m.children) walk(c, `${p}${n}.`);
    };
    walk(this, prefix);
    return out;
  }

  numParameters(): number {
    let n = 0;
    for (const v of this.namedParameters().values()) n += v.size;
    return n;
  }

  /**
   * Copies checkpoint tensors into the parameters with the same names. Shapes must match exactly (a
   * mismatch throws naming the tensor and `file`); names in `ignore` are neither loaded nor reported.
   */
  loadStateDict(
    tensors: Map<string, NamedArray>,
    opts: { file?: string; strict?: boolean; ignore?: RegExp[] } = {},
  ): LoadResult {
    const params = this.namedParameters();
    const ignored = (n: string) => (opts.ignore ?? []).some((r) => r.test(n));
    const missing: string[] = [];
    for (const [name, v] of params) {
      const t = tensors.get(name);
      if (!t) {
        missing.push(name);
        continue;
      }
      if (!tf.util.arraysEqual(t.shape, v.shape)) {
        throw new StateDictError(
          `tensor "${name}" has shape [${t.shape}] but the model expects [${v.shape}]`,
          opts.file,
        );
      }
      const values = t.values instanceof Float32Array ? t.values : Float32Array.from(t.values);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
    }
    const unexpected = [...tensors.keys()].filter((n) => !params.has(n) && !ignored(n));
    if (opts.strict && (missing.length || unexpected.length)) {
      throw new StateDictError(
        `checkpoint does not match the model: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
        opts.file,
      );
    }
    return { missing, unexpected };
  }

  /** Parameter values as plain arrays, ready for `writeSafetensors`. */
  stateDict(): Map<string, { shape: number[]; values: Float32Array }> {
    const out = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const [name, v] of this.namedParameters())
      out.set(name, { shape: v.shape, values: v.dataSync() as Float32Array });
    return out;
  }

  dispose(): void {
    for (const v of this.namedParameters().values()) v.dispose();
  }
}
