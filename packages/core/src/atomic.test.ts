import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fillFileAtomic, writeDirAtomic, writeFileAtomic } from './atomic';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-atomic-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const entries = (dir: string) => fs.readdirSync(dir).sort();

describe('writeFileAtomic', () => {
  test('writes strings and byte chunks in order, creating the folder', () => {
    const file = path.join(root, 'a', 'b', 'f.bin');
    writeFileAtomic(file, [Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    writeFileAtomic(file, 'héllo\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('héllo\n');
    expect(entries(path.dirname(file))).toEqual(['f.bin']);
  });

  test('a failing write keeps the old file intact and leaves no temp file', () => {
    const file = path.join(root, 'f.txt');
    writeFileAtomic(file, 'old');
    const bad = [Uint8Array.of(1), { length: 1 } as unknown as Uint8Array]; // writeSync refuses the second chunk
    expect(() => writeFileAtomic(file, bad)).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(entries(root)).toEqual(['f.txt']);
  });
});

describe('fillFileAtomic', () => {
  test('renames the filled temp file over the target', async () => {
    const file = path.join(root, 'f.txt');
    writeFileAtomic(file, 'old');
    await fillFileAtomic(file, (tmp) => {
      expect(path.dirname(tmp)).toBe(root); // same folder, so the rename cannot cross devices
      expect(fs.readFileSync(file, 'utf8')).toBe('old'); // the target is untouched while filling
      fs.writeFileSync(tmp, 'new');
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(entries(root)).toEqual(['f.txt']);
  });

  test('a fill that throws half-way removes its temp file and keeps the old file', async () => {
    const file = path.join(root, 'f.txt');
    writeFileAtomic(file, 'old');
    await expect(
      fillFileAtomic(file, (tmp) => {
        fs.writeFileSync(tmp, 'half');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(entries(root)).toEqual(['f.txt']);
  });
});

describe('writeDirAtomic', () => {
  test('builds in a temp folder beside the target and swaps it in, removing the old folder', async () => {
    const dir = path.join(root, 'model');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
    await writeDirAtomic(dir, (tmp) => {
      expect(path.dirname(tmp)).toBe(root);
      expect(fs.existsSync(path.join(dir, 'stale.txt'))).toBe(true); // old folder still whole while building
      fs.mkdirSync(path.join(tmp, 'sub'));
      fs.writeFileSync(path.join(tmp, 'sub', 'w.bin'), 'new');
    });
    expect(entries(dir)).toEqual(['sub']);
    expect(fs.readFileSync(path.join(dir, 'sub', 'w.bin'), 'utf8')).toBe('new');
    expect(entries(root)).toEqual(['model']); // no temp or old folder left
  });

  test('a fill that throws leaves the old folder as it was and nothing else', async () => {
    const dir = path.join(root, 'model');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'old');
    await expect(
      writeDirAtomic(dir, async (tmp) => {
        fs.writeFileSync(path.join(tmp, 'half.txt'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(entries(dir)).toEqual(['keep.txt']);
    expect(entries(root)).toEqual(['model']);
  });

  test('creates the folder (and its parents) when absent', async () => {
    const dir = path.join(root, 'a', 'b');
    await writeDirAtomic(dir, (tmp) => fs.writeFileSync(path.join(tmp, 'x'), '1'));
    expect(entries(dir)).toEqual(['x']);
  });
});
