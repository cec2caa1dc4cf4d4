// A full disk during an atomic write: the write is undone and the error names the target
// (tools/chaos/test/enospc.test.ts does the same for real, on a 2 MB tmpfs, when it can mount one).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fillFileAtomic, writeDirAtomic } from './atomic';
import { KardError, NoSpaceError } from './errors';

const full = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

test('writeDirAtomic: ENOSPC inside fill is a NoSpaceError naming the folder; no temp folder is left, the old one stays', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-nospace-'));
  const dir = path.join(parent, 'index');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'manifest.json'), 'old');
  const err = await writeDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'half'), 'x');
    throw full();
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NoSpaceError);
  expect(err).toBeInstanceOf(KardError);
  expect((err as Error).message).toBe(
    `no space left on the device writing ${dir} (ENOSPC): nothing was written; free some space and run again`,
  );
  expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
  expect(fs.readdirSync(parent)).toEqual(['index']);
  expect(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe('old');
});

test('fillFileAtomic: EDQUOT is one too; other errors pass through unchanged', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'kard-nospace-'));
  const file = path.join(parent, 'a.jsonl');
  const quota = Object.assign(new Error('EDQUOT'), { code: 'EDQUOT' });
  await expect(fillFileAtomic(file, () => Promise.reject(quota))).rejects.toThrow(
    `no space left on the device writing ${file} (EDQUOT)`,
  );
  const other = Object.assign(new Error('EACCES'), { code: 'EACCES' });
  await expect(fillFileAtomic(file, () => Promise.reject(other))).rejects.toBe(other);
  expect(fs.readdirSync(parent)).toEqual([]);
});
