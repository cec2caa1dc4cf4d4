// Safetensors from bytes in memory: the header's checks and the tensors' decoding, shared by read.ts (files) and
// a browser (fetched bytes). No Node built-ins.
import { DTYPE_BYTES, decode, isSafetensorsDtype, type SafetensorsDtype } from './dtypes';
import { SafetensorsError } from './errors';

/** One tensor as read from disk: float dtypes become float32, integer and bool dtypes int32. */
export interface NamedArray {
  /** The dtype stored in the file (before conversion). */
  dtype: SafetensorsDtype;
  shape: number[];
  values: Float32Array | Int32Array;
}

export interface TensorHeader {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section (after the header). */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Size of the JSON header in bytes; data starts at 8 + headerBytes. */
  headerBytes: number;
  tensors: Map<string, TensorHeader>;
  metadata: Record<string, string>;
}

export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsContents {
  tensors: Map<string, NamedArray>;
  metadata: Record<string, string>;
}

export interface ReadSafetensorsOptions {
  /**
   * Accept NaN and infinite float values. Default false: a weight file holding one is corrupt (or was written by
   * a run that diverged), and a model loaded from it would generate empty text with a null score without a word.
   */
  allowNonFinite?: boolean;
}

/** Index of the first NaN or infinity in `values`, -1 when all are finite. */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    // x - x is 0 for every finite x, NaN for NaN and both infinities.
    if (values[i] - values[i] !== 0) return i;
  }
  return -1;
}

/** Checks the JSON header of a safetensors file of `size` bytes whose header is `headerBytes` long. */
export function parseHeaderJson(text: string, headerBytes: number, size: number, file: string): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`bad header: not JSON (${(err as Error).message})`, file);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new SafetensorsError('bad header: not a JSON object', file);
  const tensors = new Map<string, TensorHeader>();
  let metadata: Record<string, string> = {};
  const ranges: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || !isSafetensorsDtype(e.dtype))
      throw new SafetensorsError(
        `bad header: tensor "${name}" has unsupported dtype ${JSON.stringify(e?.dtype)}`,
        file,
      );
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`bad header: tensor "${name}" has invalid shape ${JSON.stringify(e.shape)}`, file);
    }
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((o) => Number.isInteger(o) && o >= 0) ||
      off[1] < off[0]
    ) {
      throw new SafetensorsError(`bad header: tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`, file);
    }
    const elements = (e.shape as number[]).reduce((a, b) => a * b, 1);
    if (off[1] - off[0] !== elements * DTYPE_BYTES[e.dtype]) {
      throw new SafetensorsError(
        `bad header: tensor "${name}" of shape [${e.shape}] ${e.dtype} needs ${elements * DTYPE_BYTES[e.dtype]} ` +
          `bytes, offsets give ${off[1] - off[0]}`,
        file,
      );
    }
    tensors.set(name, { dtype: e.dtype, shape: e.shape as number[], dataOffsets: [off[0], off[1]] });
    ranges.push([off[0], off[1], name]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1])
      throw new SafetensorsError(`bad header: tensors "${ranges[i - 1][2]}" and "${ranges[i][2]}" overlap`, file);
  }
  const dataEnd = ranges.length ? ranges[ranges.length - 1][1] : 0;
  if (8 + headerBytes + dataEnd > size) {
    throw new SafetensorsError(
      `truncated file: tensor data needs ${dataEnd} bytes after the header but only ${size - 8 - headerBytes} are ` +
        `present`,
      file,
    );
  }
  return { headerBytes, tensors, metadata };
}

/** The tensors of a whole file's `bytes` whose header was checked (see `readSafetensors` for the conversions). */
export function decodeTensors(
  header: SafetensorsHeader,
  bytes: Uint8Array,
  file: string,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  const base = 8 + header.headerBytes;
  const tensors = new Map<string, NamedArray>();
  for (const [name, t] of header.tensors) {
    const slice = new Uint8Array(
      bytes.buffer,
      bytes.byteOffset + base + t.dataOffsets[0],
      t.dataOffsets[1] - t.dataOffsets[0],
    );
    let values: Float32Array | Int32Array;
    try {
      values = decode(t.dtype, slice);
    } catch (err) {
      throw new SafetensorsError(`tensor "${name}": ${(err as Error).message}`, file);
    }
    if (values instanceof Float32Array && !options.allowNonFinite) {
      const at = firstNonFinite(values);
      if (at >= 0) {
        let count = 0;
        for (let i = at; i < values.length; i++) if (values[i] - values[i] !== 0) count++;
        throw new SafetensorsError(
          `tensor "${name}" holds ${count} non-finite value${count === 1 ? '' : 's'} (first: ${values[at]} at flat index ${at} of shape [${t.shape}]); the file is corrupt or the training that wrote it diverged`,
          file,
        );
      }
    }
    tensors.set(name, { dtype: t.dtype, shape: t.shape, values });
  }
  return { tensors, metadata: header.metadata };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A whole safetensors file already in memory (e.g. fetched), checked and converted as `readSafetensors` does;
 * `file` names it in errors.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  file: string,
  options: ReadSafetensorsOptions = {},
): SafetensorsContents {
  const size = bytes.byteLength;
  if (size < 8) throw new SafetensorsError(`truncated file: ${size} bytes, less than the 8-byte header length`, file);
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(`bad header: declared header length ${headerLen} is implausible`, file);
  const headerBytes = Number(headerLen);
  if (8 + headerBytes > size) {
    throw new SafetensorsError(`truncated file: header needs ${headerBytes} bytes but only ${size - 8} follow`, file);
  }
  const header = parseHeaderJson(utf8.decode(bytes.subarray(8, 8 + headerBytes)), headerBytes, size, file);
  return decodeTensors(header, bytes, file, options);
}
