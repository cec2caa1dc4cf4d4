import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The shipped corpora must match their MANIFEST.json (record counts and sha256): the tests above rely on them.
test('datasets/ match their manifests (make-manifests.mjs --check)', () => {
  const root = path.join(__dirname, '../../..');
  const r = spawnSync(process.execPath, [path.join(root, 'tools/datasets/make-manifests.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
