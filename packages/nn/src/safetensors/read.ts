import * as fs from 'node:fs';
import * as path from 'node:path';
import { SafetensorsError } from './errors';
import {
  decodeTensors,
  MAX_HEADER_BYTES,
  parseHeaderJson,
  type NamedArray,
  type ReadSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsHeader,
} from './parse';

export type { NamedArray, ReadSafetensorsOptions, SafetensorsContents, SafetensorsHeader, TensorHeader } from './parse';

/** Parses and validates the header of a safetensors file without reading the tensor data. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new SafetensorsError(`cannot open: ${(err as Error).message}`, file);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 8) throw new SafetensorsError(`truncated file: ${size} bytes, less than the 8-byte header length`, file);
    const lenBuf = Buffer.alloc(8);
    fs.readSync(fd, lenBuf, 0, 8, 0);
    const headerLen = lenBuf.readBigUInt64LE(0);
    if (headerLen > BigInt(MAX_HEADER_BYTES))
      throw new SafetensorsError(`bad header: declared header length ${headerLen} is implausible`, file);
    const headerBytes = Number(headerLen);
    if (8 + headerBytes > size) {
      throw new SafetensorsError(`truncated file: header needs ${headerBytes} bytes but only ${size - 8} follow`, file);
    }
    const buf = Buffer.alloc(headerBytes);
    fs.readSync(fd, buf, 0, headerBytes, 8);
    return parseHeaderJson(buf.toString('utf8'), headerBytes, size, file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a whole safetensors file, converting BF16/F16/F64 to float32 and integers to int32. A float tensor holding
 * NaN or an infinity is a `SafetensorsError` naming the tensor and the file, unless `allowNonFinite`.
 */
export function readSafetensors(file: string, options: ReadSafetensorsOptions = {}): SafetensorsContents {
  const header = readSafetensorsHeader(file);
  const bytes = fs.readFileSync(file);
  return decodeTensors(header, bytes, file, options);
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

/** The safetensors files holding a model in `dir`: the single file, or the shards an index names. */
export function findSafetensorsFiles(dir: string, stem = 'model'): string[] | undefined {
  const single = path.join(dir, `${stem}.safetensors`);
  const index = path.join(dir, `${stem}.safetensors.index.json`);
  if (fs.existsSync(index)) {
    let parsed: { weight_map?: Record<string, string> };
    try {
      parsed = JSON.parse(fs.readFileSync(index, 'utf8'));
    } catch (err) {
      throw new SafetensorsError(`bad index: ${(err as Error).message}`, index);
    }
    if (!parsed.weight_map || typeof parsed.weight_map !== 'object')
      throw new SafetensorsError('bad index: no "weight_map" object', index);
    const files = [...new Set(Object.values(parsed.weight_map))].sort();
    for (const f of files) {
      if (!fs.existsSync(path.join(dir, f)))
        throw new SafetensorsError(`index names shard "${f}", which does not exist`, index);
    }
    return files.map((f) => path.join(dir, f));
  }
  if (fs.existsSync(single)) return [single];
  return undefined;
}

/** Reads every tensor of a (possibly sharded) model folder; `undefined` when the folder has no safetensors. */
export function readSafetensorsDir(
  dir: string,
  stem = 'model',
  options: ReadSafetensorsOptions = {},
): Map<string, NamedArray> | undefined {
  const files = findSafetensorsFiles(dir, stem);
  if (!files) return undefined;
  const all = new Map<string, NamedArray>();
  for (const f of files) {
    for (const [name, t] of readSafetensors(f, options).tensors) {
      if (all.has(name)) throw new SafetensorsError(`tensor "${name}" appears in more than one shard`, f);
      all.set(name, t);
    }
  }
  return all;
}
