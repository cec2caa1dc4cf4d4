import * as path from 'node:path';
import { writeFileAtomic } from '@kard/core';
import { DTYPE_BYTES, encode, type SafetensorsDtype } from './dtypes';

/** A tensor to write: values are converted to `dtype` (default F32 for float arrays, I32 for int arrays). */
export interface ArrayToWrite {
  shape: number[];
  values: ArrayLike<number>;
  dtype?: SafetensorsDtype;
}

function serialize(tensors: Iterable<[string, ArrayToWrite]>, metadata: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const dtype = t.dtype ?? (t.values instanceof Int32Array ? 'I32' : 'F32');
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements !== t.values.length)
      throw new RangeError(`tensor "${name}": shape [${t.shape}] has ${elements} elements, values ${t.values.length}`);
    const bytes = encode(dtype, t.values);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  // The reference implementation pads the header with spaces so the data starts 8-byte aligned.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.byteLength));
  return [len, headerBytes, ...chunks];
}

/**
 * Writes tensors to one safetensors file (atomically). `metadata` defaults to `{format: 'pt'}`, which
 * Python transformers requires to load the file.
 */
export function writeSafetensors(
  file: string,
  tensors: Map<string, ArrayToWrite> | Record<string, ArrayToWrite>,
  metadata: Record<string, string> = { format: 'pt' },
): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  writeFileAtomic(file, serialize(entries, metadata));
}

/**
 * Writes a model folder's weights: `model.safetensors`, or shards `model-00001-of-0000N.safetensors` plus
 * `model.safetensors.index.json` when the total exceeds `maxShardBytes` (Hugging Face's layout).
 * Returns the files written.
 */
export function writeSafetensorsDir(
  dir: string,
  tensors: Map<string, ArrayToWrite>,
  opts: { maxShardBytes?: number; metadata?: Record<string, string>; stem?: string } = {},
): string[] {
  const stem = opts.stem ?? 'model';
  const metadata = opts.metadata ?? { format: 'pt' };
  const maxShard = opts.maxShardBytes ?? 5 * 1024 ** 3;
  const shards: Array<Array<[string, ArrayToWrite]>> = [[]];
  let current = 0;
  let total = 0;
  for (const entry of tensors) {
    const t = entry[1];
    const bytes = t.values.length * DTYPE_BYTES[t.dtype ?? (t.values instanceof Int32Array ? 'I32' : 'F32')];
    if (current > 0 && current + bytes > maxShard) {
      shards.push([]);
      current = 0;
    }
    shards[shards.length - 1].push(entry);
    current += bytes;
    total += bytes;
  }
  if (shards.length === 1) {
    const file = path.join(dir, `${stem}.safetensors`);
    writeFileAtomic(file, serialize(shards[0], metadata));
    return [file];
  }
  const n = shards.length;
  const pad = (i: number) => String(i).padStart(5, '0');
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  shards.forEach((shard, i) => {
    const name = `${stem}-${pad(i + 1)}-of-${pad(n)}.safetensors`;
    for (const [t] of shard) weightMap[t] = name;
    const file = path.join(dir, name);
    writeFileAtomic(file, serialize(shard, metadata));
    files.push(file);
  });
  const index = path.join(dir, `${stem}.safetensors.index.json`);
  writeFileAtomic(index, JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + '\n');
  files.push(index);
  return files;
}
