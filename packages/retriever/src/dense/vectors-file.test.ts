import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorFormatError } from './errors';
import { encodeNpy, readNpy } from './npy';
import { readVectorsFile } from './vectors-file';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kard-vectors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A .npy file laid out by hand from the format spec (numpy.org/doc/stable/reference/generated/numpy.lib.format). */
function handMadeNpy(descr: string, shape: string, payload: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([
    Buffer.from([0x93]),
    Buffer.from('NUMPY'),
    Buffer.from([1, 0]),
    len,
    Buffer.from(header, 'latin1'),
    payload,
  ]);
}

describe('.npy', () => {
  test('reads a hand-made float32 file and a float64 one; encodeNpy writes the spec layout', () => {
    const f32 = Buffer.alloc(6 * 4);
    [1.5, -2, 0.25, 3, 4, -0.5].forEach((v, i) => f32.writeFloatLE(v, i * 4));
    const file = join(dir, 'a.npy');
    writeFileSync(file, handMadeNpy('<f4', '(2, 3)', f32));
    expect(readNpy(file)).toEqual({ rows: 2, cols: 3, data: new Float32Array([1.5, -2, 0.25, 3, 4, -0.5]) });
    expect(encodeNpy(readNpy(file)).equals(readFileSync(file))).toBe(true);

    const f64 = Buffer.alloc(2 * 8);
    f64.writeDoubleLE(0.5, 0);
    f64.writeDoubleLE(-8, 8);
    writeFileSync(join(dir, 'b.npy'), handMadeNpy('<f8', '(1, 2)', f64));
    expect(readNpy(join(dir, 'b.npy')).data).toEqual(new Float32Array([0.5, -8]));
  });

  test('rejects other dtypes, 1-D arrays, truncated data and non-npy files', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['i4.npy', handMadeNpy('<i4', '(1, 2)', Buffer.alloc(8)), /expected dtype float32/],
      ['1d.npy', handMadeNpy('<f4', '(4,)', Buffer.alloc(16)), /expected a 2-D array/],
      ['short.npy', handMadeNpy('<f4', '(2, 2)', Buffer.alloc(12)), /data is 12 bytes, shape \(2, 2\) needs 16/],
      ['text.npy', Buffer.from('hello world, not numpy'), /bad magic/],
    ];
    for (const [name, content, reason] of cases) {
      writeFileSync(join(dir, name), content);
      expect(() => readNpy(join(dir, name))).toThrow(VectorFormatError);
      expect(() => readNpy(join(dir, name))).toThrow(reason);
    }
  });

  test('vectors file: .npy with its sibling ids file, or an explicit one', async () => {
    const file = join(dir, 'emb.npy');
    writeFileSync(file, encodeNpy({ rows: 2, cols: 2, data: new Float32Array([1, 2, 3, 4]) }));
    writeFileSync(join(dir, 'emb.ids.txt'), 'd1\nd2\n');
    expect(await readVectorsFile(file)).toEqual({ ids: ['d1', 'd2'], dim: 2, data: new Float32Array([1, 2, 3, 4]) });
    writeFileSync(join(dir, 'other-ids.txt'), 'x\ny\nz\n');
    await expect(readVectorsFile(file, { idsFile: join(dir, 'other-ids.txt') })).rejects.toThrow('3 ids for 2 vectors');
    await expect(readVectorsFile(file, { idsFile: join(dir, 'nope.txt') })).rejects.toThrow(/ids file .* not found/);
    await expect(readVectorsFile(file, { dim: 3 })).rejects.toThrow('vectors have dimension 2, expected 3');
  });
});

describe('JSONL vectors', () => {
  const write = (name: string, lines: string[]) => {
    writeFileSync(join(dir, name), lines.join('\n') + '\n');
    return join(dir, name);
  };

  test('reads {id, vector} lines, skipping blank ones; numeric ids become strings', async () => {
    const file = write('ok.jsonl', ['{"id": "a", "vector": [1, 2, 3]}', '', '{"id": 7, "vector": [0.5, 0, -1]}']);
    expect(await readVectorsFile(file)).toEqual({
      ids: ['a', '7'],
      dim: 3,
      data: new Float32Array([1, 2, 3, 0.5, 0, -1]),
    });
  });

  test('errors name the file and the line', async () => {
    const cases: [string[], string][] = [
      [
        ['{"id": "a", "vector": [1, 2]}', '{"id": "b", "vector": [1, 2, 3]}'],
        ':2: vector has dimension 3, line 1 has dimension 2',
      ],
      [['{"id": "a", "vector": [1, 2]}', '{"id": "b", "vector": [1, 2]', '{}'], ':2: invalid JSON'],
      [['{"vector": [1]}'], ':1: missing "id"'],
      [['{"id": "a", "vector": "1 2"}'], ':1: missing "vector"'],
      [['{"id": "a", "vector": [1, null]}'], ':1: vector[1] is not a finite number'],
    ];
    for (const [i, [lines, message]] of cases.entries()) {
      const file = write(`bad${i}.jsonl`, lines);
      const err = await readVectorsFile(file).catch((e) => e);
      expect(err).toBeInstanceOf(VectorFormatError);
      expect(err.message).toContain(`${file}${message}`);
    }
    const dimFile = write('dim.jsonl', ['{"id": "a", "vector": [1, 2]}']);
    await expect(readVectorsFile(dimFile, { dim: 4 })).rejects.toThrow(
      `${dimFile}:1: vector has dimension 2, expected dimension 4`,
    );
    await expect(readVectorsFile(write('empty.jsonl', ['']))).rejects.toThrow('no vectors in file');
    await expect(readVectorsFile(join(dir, 'missing.jsonl'))).rejects.toThrow(/missing\.jsonl: vectors file not found/);
  });
});
