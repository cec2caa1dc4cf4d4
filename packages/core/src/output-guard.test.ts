import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeDirAtomic } from './atomic';
import { assertReplaceable, OUTPUT_MARKER, OutputExistsError, writeOwnerManifest } from './output-guard';

let root: string;
let cwd: string;
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kard-guard-')));
  cwd = process.cwd();
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(root, { recursive: true, force: true });
});

const index = { kind: 'BM25 index', manifest: 'manifest.json', format: 'kard-bm25-index' };
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
/** Every file under `dir`, relative, with its text: what the user had. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
const newIndex = (tmp: string) => write(path.join(tmp, 'manifest.json'), JSON.stringify({ format: 'kard-bm25-index' }));

describe('assertReplaceable', () => {
  test('allows what holds no data of the user: nothing, an empty folder, a folder with our manifest', () => {
    expect(() => assertReplaceable(path.join(root, 'absent'), index)).not.toThrow();
    fs.mkdirSync(path.join(root, 'empty'));
    expect(() => assertReplaceable(path.join(root, 'empty'), index)).not.toThrow();
    write(path.join(root, 'ours', 'manifest.json'), JSON.stringify({ format: 'kard-bm25-index', version: 3 }));
    write(path.join(root, 'ours', 'terms.utf8'), 'abc');
    expect(() => assertReplaceable(path.join(root, 'ours'), index)).not.toThrow();
  });

  test.each([
    ['a file', (d: string) => write(d, 'keep'), 'it is a file, not a folder'],
    ['a folder of notes', (d: string) => write(path.join(d, 'notes.txt'), 'keep'), 'no manifest.json'],
    [
      "another tool's manifest",
      (d: string) => write(path.join(d, 'manifest.json'), JSON.stringify({ format: 'kard-passage-store' })),
      'manifest.json has format "kard-passage-store", not "kard-bm25-index"',
    ],
    [
      'a manifest that is not JSON',
      (d: string) => write(path.join(d, 'manifest.json'), '{'),
      'manifest.json is not JSON',
    ],
    ['a git checkout', (d: string) => write(path.join(d, '.git', 'HEAD'), 'ref'), 'it holds a git repository'],
  ])('refuses %s, naming the folder, the kind and why, unless overwrite', (_, make, reason) => {
    const dir = path.join(root, 'out');
    make(dir);
    const err = (() => {
      try {
        assertReplaceable(dir, index);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OutputExistsError);
    expect((err as Error).message).toBe(
      `${dir} exists and is not a BM25 index written by KARD-TS (${reason}); refusing to replace it. Pass --overwrite to replace it anyway.`,
    );
    expect(() => assertReplaceable(dir, { ...index, overwrite: true })).not.toThrow();
  });

  test('refuses the current directory and the folders above it, even when they are ours', () => {
    const run = path.join(root, 'a', 'b');
    write(path.join(root, 'a', 'manifest.json'), JSON.stringify({ format: 'kard-bm25-index' }));
    write(path.join(run, 'manifest.json'), JSON.stringify({ format: 'kard-bm25-index' }));
    process.chdir(run);
    for (const dir of ['.', '..', run])
      expect(() => assertReplaceable(dir, index)).toThrow(/current directory or a folder above it/);
    expect(() => assertReplaceable('.', { ...index, overwrite: true })).not.toThrow();
  });

  test('the generic marker counts for its own kind only', () => {
    const dir = path.join(root, 'model');
    write(path.join(dir, 'config.json'), '{}');
    expect(() => assertReplaceable(dir, { kind: 'student model' })).toThrow(`no ${OUTPUT_MARKER}`);
    writeOwnerManifest(dir, 'student model');
    expect(() => assertReplaceable(dir, { kind: 'student model' })).not.toThrow();
    expect(() => assertReplaceable(dir, { kind: 'tokenizer' })).toThrow(
      `${OUTPUT_MARKER} is not a KARD-TS tokenizer marker`,
    );
  });
});

describe('writeDirAtomic with an owner', () => {
  test("the repro of issue 18: `--out .` in a folder of the user's files deletes nothing", async () => {
    const t = path.join(root, 't');
    write(path.join(t, 'important.txt'), 'keep\n');
    fs.mkdirSync(path.join(t, 'sub'));
    process.chdir(t);
    await expect(writeDirAtomic('.', newIndex, index)).rejects.toThrow(OutputExistsError);
    expect(snapshot(t)).toEqual({ 'important.txt': 'keep\n' });
    expect(fs.readdirSync(t).sort()).toEqual(['important.txt', 'sub']); // no temp folder left either
    expect(fs.readdirSync(root)).toEqual(['t']);
  });

  test('a file and a foreign folder stay as they were; overwrite replaces them', async () => {
    write(path.join(root, 'f'), 'keep');
    write(path.join(root, 'd', 'notes.txt'), 'keep');
    await expect(writeDirAtomic(path.join(root, 'f'), newIndex, index)).rejects.toThrow(OutputExistsError);
    await expect(writeDirAtomic(path.join(root, 'd'), newIndex, index)).rejects.toThrow('(no manifest.json)');
    expect(snapshot(root)).toEqual({ f: 'keep', 'd/notes.txt': 'keep' });
    await writeDirAtomic(path.join(root, 'd'), newIndex, { ...index, overwrite: true });
    expect(snapshot(path.join(root, 'd'))).toEqual({ 'manifest.json': '{"format":"kard-bm25-index"}' });
  });

  test('replaces its own folder, and writes the generic marker when the kind has no manifest', async () => {
    const dir = path.join(root, 'model');
    const owner = { kind: 'student model' };
    await writeDirAtomic(dir, (tmp) => write(path.join(tmp, 'config.json'), '1'), owner);
    await writeDirAtomic(dir, (tmp) => write(path.join(tmp, 'config.json'), '2'), owner);
    expect(snapshot(dir)).toEqual({
      [OUTPUT_MARKER]: '{"format":"kard-output","kind":"student model"}\n',
      'config.json': '2',
    });
  });

  test('a folder that appears while the new one is built is not replaced', async () => {
    const dir = path.join(root, 'out');
    await expect(
      writeDirAtomic(
        dir,
        (tmp) => {
          newIndex(tmp);
          write(path.join(dir, 'notes.txt'), 'keep'); // someone else writes there meanwhile
        },
        index,
      ),
    ).rejects.toThrow(OutputExistsError);
    expect(snapshot(root)).toEqual({ 'out/notes.txt': 'keep' });
  });
});
