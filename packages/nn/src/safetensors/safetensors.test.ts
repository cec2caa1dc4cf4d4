import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  readSafetensors,
  readSafetensorsDir,
  readSafetensorsHeader,
  writeSafetensors,
  writeSafetensorsDir,
  SafetensorsError,
} from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-st-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Builds a safetensors file byte by byte, independently of the writer. */
function handMade(
  entries: Array<{ name: string; dtype: string; shape: number[]; bytes: number[] }>,
  padHeader = true,
): Buffer {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  let json = JSON.stringify(header);
  if (padHeader) json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), Buffer.from(entries.flatMap((e) => e.bytes))]);
}
const le16 = (...xs: number[]) => xs.flatMap((x) => [x & 0xff, x >> 8]);

describe('safetensors', () => {
  test('decodes BF16, F16 (incl. subnormal and inf), F64, I64 and BOOL from hand-made bytes', () => {
    const f = path.join(tmp, 'dtypes.safetensors');
    const f64 = Buffer.alloc(16);
    f64.writeDoubleLE(0.1, 0);
    f64.writeDoubleLE(-3, 8);
    const i64 = Buffer.alloc(16);
    i64.writeBigInt64LE(-7n, 0);
    i64.writeBigInt64LE(123456789n, 8);
    fs.writeFileSync(
      f,
      handMade([
        // bf16: 1.0 = 0x3F80, -2.5 = 0xC020, 3.140625 = 0x4049
        { name: 'bf', dtype: 'BF16', shape: [3], bytes: le16(0x3f80, 0xc020, 0x4049) },
        // f16: 1.0 = 0x3C00, -2 = 0xC000, 65504 = 0x7BFF, 2^-24 = 0x0001, +inf = 0x7C00, 0.333251953125 = 0x3555
        { name: 'h', dtype: 'F16', shape: [2, 3], bytes: le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x3555) },
        { name: 'd', dtype: 'F64', shape: [2], bytes: [...f64] },
        { name: 'i', dtype: 'I64', shape: [2, 1], bytes: [...i64] },
        { name: 'b', dtype: 'BOOL', shape: [3], bytes: [1, 0, 1] },
      ]),
    );
    const { tensors } = readSafetensors(f, { allowNonFinite: true });
    expect([...tensors.get('bf')!.values]).toEqual([1, -2.5, 3.140625]);
    expect(tensors.get('h')!.shape).toEqual([2, 3]);
    expect([...tensors.get('h')!.values]).toEqual([1, -2, 65504, 2 ** -24, Infinity, 0.333251953125]);
    expect(tensors.get('d')!.values[0]).toBeCloseTo(0.1, 7);
    expect(tensors.get('d')!.values[1]).toBe(-3);
    expect(tensors.get('i')!.values).toBeInstanceOf(Int32Array);
    expect([...tensors.get('i')!.values]).toEqual([-7, 123456789]);
    expect([...tensors.get('b')!.values]).toEqual([1, 0, 1]);
  });

  test('a NaN or infinite float is an error naming the tensor and the file, unless allowed', () => {
    const f32 = (...xs: number[]) => [...Buffer.from(new Float32Array(xs).buffer)];
    const cases: Array<[string, { name: string; dtype: string; shape: number[]; bytes: number[] }, string]> = [
      [
        'nan',
        { name: 'encoder.w', dtype: 'F32', shape: [2, 2], bytes: f32(1, 2, NaN, NaN) },
        'holds 2 non-finite values (first: NaN at flat index 2 of shape [2,2])',
      ],
      // bf16 0xFF80 = -inf
      [
        'inf',
        { name: 'lm_head', dtype: 'BF16', shape: [3], bytes: le16(0x3f80, 0xff80, 0x3f80) },
        'holds 1 non-finite value (first: -Infinity at flat index 1 of shape [3])',
      ],
      ['half', { name: 'h', dtype: 'F16', shape: [1], bytes: le16(0x7e00) }, 'holds 1 non-finite value (first: NaN'],
    ];
    for (const [stem, bad, message] of cases) {
      const f = path.join(tmp, `${stem}.safetensors`);
      const good = { name: 'a.ok', dtype: 'F32', shape: [1], bytes: f32(0.5) };
      fs.writeFileSync(f, handMade([good, bad]));
      expect(() => readSafetensors(f)).toThrow(SafetensorsError);
      expect(() => readSafetensors(f)).toThrow(`${f}: tensor "${bad.name}" ${message}`);
      expect(readSafetensors(f, { allowNonFinite: true }).tensors.get(bad.name)!.shape).toEqual(bad.shape);
    }
    const dir = path.join(tmp, 'nan-dir');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(tmp, 'nan.safetensors'), path.join(dir, 'model.safetensors'));
    expect(() => readSafetensorsDir(dir)).toThrow(/model.safetensors: tensor "encoder.w" holds 2 non-finite values/);
  });

  test('writer output has the documented layout and reads back', () => {
    const f = path.join(tmp, 'w.safetensors');
    writeSafetensors(f, {
      'a.weight': { shape: [2, 2], values: Float32Array.of(1, 2, 3, 4) },
      b: { shape: [2], values: [1.5, -1], dtype: 'BF16' },
    });
    const raw = fs.readFileSync(f);
    const n = Number(raw.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(raw.subarray(8, 8 + n).toString());
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header['a.weight']).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
    expect(raw.readFloatLE(8 + n + 12)).toBe(4);
    expect(raw.readUInt16LE(8 + n + 16)).toBe(0x3fc0); // bf16 of 1.5
    const back = readSafetensors(f).tensors;
    expect([...back.get('b')!.values]).toEqual([1.5, -1]);
  });

  test('F16 and BF16 writing rounds to nearest even', () => {
    const f = path.join(tmp, 'round.safetensors');
    // 1 + 2^-11 is halfway between f16 1 and 1+2^-10: ties to even (1). 1 + 3*2^-11 ties up to 1 + 2^-9.
    writeSafetensors(f, { h: { shape: [2], values: [1 + 2 ** -11, 1 + 3 * 2 ** -11], dtype: 'F16' } });
    expect([...readSafetensors(f).tensors.get('h')!.values]).toEqual([1, 1 + 2 ** -9]);
  });

  test('sharded folder: index plus shards read back as one map', () => {
    const dir = path.join(tmp, 'sharded');
    const tensors = new Map<string, { shape: number[]; values: Float32Array }>(
      [0, 1, 2].map((i) => [`layer.${i}.w`, { shape: [4], values: Float32Array.of(i, i, i, i) }]),
    );
    const files = writeSafetensorsDir(dir, new Map(tensors), { maxShardBytes: 20 });
    expect(files.map((f) => path.basename(f))).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
    ]);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.weight_map['layer.1.w']).toBe('model-00002-of-00003.safetensors');
    const all = readSafetensorsDir(dir)!;
    expect([...all.get('layer.2.w')!.values]).toEqual([2, 2, 2, 2]);
    expect(readSafetensorsDir(path.join(tmp, 'nothing-here'))).toBeUndefined();
  });

  test('truncated file, bad header and size mismatch are errors naming the file', () => {
    const good = path.join(tmp, 'good.safetensors');
    writeSafetensors(good, { x: { shape: [8], values: new Float32Array(8) } });
    const bytes = fs.readFileSync(good);
    const cut = path.join(tmp, 'cut.safetensors');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
    expect(() => readSafetensors(cut)).toThrow(SafetensorsError);
    expect(() => readSafetensors(cut)).toThrow(/cut\.safetensors: truncated file/);
    fs.writeFileSync(cut, bytes.subarray(0, 4));
    expect(() => readSafetensorsHeader(cut)).toThrow(/truncated/);
    fs.writeFileSync(cut, bytes.subarray(0, 20));
    expect(() => readSafetensorsHeader(cut)).toThrow(/truncated file: header/);

    const bad = path.join(tmp, 'bad.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(5n);
    fs.writeFileSync(bad, Buffer.concat([len, Buffer.from('{oops')]));
    expect(() => readSafetensors(bad)).toThrow(/bad\.safetensors: bad header: not JSON/);
    fs.writeFileSync(bad, handMade([{ name: 'x', dtype: 'F32', shape: [3], bytes: [0, 0, 0, 0, 0, 0, 0, 0] }]));
    expect(() => readSafetensors(bad)).toThrow(/tensor "x" of shape \[3\] F32 needs 12 bytes, offsets give 8/);
    fs.writeFileSync(bad, handMade([{ name: 'x', dtype: 'Q4', shape: [1], bytes: [0] }]));
    expect(() => readSafetensors(bad)).toThrow(/unsupported dtype "Q4"/);
  });
});
