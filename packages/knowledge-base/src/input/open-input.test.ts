import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WikipediaParagraphs } from '../builders/wikipedia';
import { InputFileError } from '../errors';
import { readPassages } from '../readers/read-passages';
import { hasLbzip2, openInput } from './open-input';

const fixture = (name: string) => path.join(__dirname, '../../test/fixtures', name);
const withLbzip2 = hasLbzip2() ? describe : describe.skip;

async function passagesOf(file: string, bzip2: 'js' | 'lbzip2') {
  process.env.KARD_BZIP2 = bzip2;
  try {
    const out = [];
    for await (const p of readPassages(file)) out.push(p);
    return out;
  } finally {
    delete process.env.KARD_BZIP2;
  }
}

withLbzip2('bzip2 through lbzip2 (a child process) and through the pure-JS fallback', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-bz2-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // several bzip2 blocks (-1: 100 kB blocks), so lbzip2 really decodes in parallel and joins the blocks in order
  const lines = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({ id: `p${i}`, title: `T ${i}`, text: `passage ${i} ${'lorem ipsum '.repeat(i % 13)}é` }),
  ).join('\n');
  const plain = path.join(dir, 'corpus.jsonl');
  fs.writeFileSync(plain, `${lines}\n`);
  const bz2 = `${plain}.bz2`;
  fs.writeFileSync(bz2, spawnSync('bzip2', ['-1', '-c', plain], { maxBuffer: 1 << 30 }).stdout);

  it('both give the same passages as the plain file', async () => {
    expect((await openInput(bz2, { bzip2: 'lbzip2' })).decoder).toBe('lbzip2');
    expect((await openInput(bz2, { bzip2: 'js' })).decoder).toBe('js');
    const js = await passagesOf(bz2, 'js');
    expect(js).toHaveLength(3000);
    expect(await passagesOf(bz2, 'lbzip2')).toEqual(js);
    expect(js).toEqual(await passagesOf(plain, 'js'));
  });

  it('both give the same Wikipedia passages from the fixture dump', async () => {
    const collect = async (bzip2: 'js' | 'lbzip2') => {
      process.env.KARD_BZIP2 = bzip2;
      const out = [];
      for await (const p of new WikipediaParagraphs(fixture('enwiki-sample.xml.bz2'))) out.push(p);
      delete process.env.KARD_BZIP2;
      return out;
    };
    const js = await collect('js');
    expect(js.length).toBeGreaterThan(0);
    expect(await collect('lbzip2')).toEqual(js);
  });

  it.each(['js', 'lbzip2'] as const)(
    'a truncated bzip2 file is an InputFileError (%s), never a short corpus',
    async (bzip2) => {
      const cut = path.join(dir, `cut-${bzip2}.jsonl.bz2`);
      const bytes = fs.readFileSync(bz2);
      fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await expect(passagesOf(cut, bzip2)).rejects.toThrow(InputFileError);
    },
  );

  it('stopping early ends lbzip2', async () => {
    const input = await openInput(bz2, { bzip2: 'lbzip2' });
    for await (const chunk of input.chunks) if (chunk.length > 0) break;
    input.close();
    const children = () =>
      spawnSync('pgrep', ['-P', String(process.pid), 'lbzip2'])
        .stdout.toString()
        .trim();
    for (let i = 0; i < 50 && children() !== ''; i++) await new Promise((r) => setTimeout(r, 20));
    expect(children()).toBe('');
  });
});
