import { crc32 } from 'node:zlib';
import { crc32Js } from './bm25-format';

describe('crc32Js (the browser reader checks index files with it)', () => {
  it('gives the standard CRC-32 check value', () => {
    // the catalogued check value of CRC-32/ISO-HDLC: crc of the ASCII digits 1-9
    expect(crc32Js(new TextEncoder().encode('123456789'))).toBe('cbf43926');
    expect(crc32Js(new Uint8Array(0))).toBe('00000000');
  });

  it("equals zlib's crc32 on random bytes of many lengths", () => {
    let seed = 12345;
    for (const n of [1, 3, 255, 256, 1000, 65_537]) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(crc32Js(bytes)).toBe(crc32(bytes).toString(16).padStart(8, '0'));
    }
  });
});
