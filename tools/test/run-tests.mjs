#!/usr/bin/env node
// The test command: lint, type-check, every jest project, then the numerics suites (nn, student, reranker) again
// on tfjs's pure-JS cpu backend, so they pass on both routes. Closes with the one line CI reads:
// "N passed, N failed" (jest tests of both passes, plus one per static check).
//
// Arguments go to jest (both passes). Environment switches:
//   KARD_TEST_STATIC=0    skip lint and type-check
//   KARD_TEST_CPU_PASS=0  skip the cpu-backend pass
//   KARD_FORMAT_CHECK=0   skip `prettier --check`
//   KARD_TEST_WEBGPU_PASS=0  skip the webgpu pass (the *.webgpu.test.ts files, on SwiftShader's CPU-emulated
//                         Vulkan when no GPU driver is installed; tools/setup/setup.sh installs it with chromium)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const FORMAT_CHECK_DEFAULT = true;
const NUMERICS_PROJECTS = ['@kard/nn', '@kard/student', '@kard/reranker'];
// Left out of the cpu pass: training a T5 on 784 tokens for ~160 steps takes seconds natively but over 20 minutes
// of CPU on the pure-JS backend. Run it there by hand: KARD_BACKEND=cpu npx jest -c packages/student/jest.config.js
// overfit
const CPU_PASS_SKIP = ['packages/student/test/overfit\\.test\\.ts'];

// The webgpu-only test files: they run in their own pass with KARD_BACKEND=webgpu, never in the other two.
const WEBGPU_TESTS = '\\.webgpu\\.test\\.ts$';
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, '.jest-results.json');
const jestArgs = process.argv.slice(2);
const on = (name, dflt) => (process.env[name] === undefined ? dflt : process.env[name] === '1');

let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;

/** Runs one static check (an npm script); it counts as one passed or failed test. */
function check(script) {
  console.log(`\n> npm run ${script}`);
  const r = spawnSync('npm', ['run', '-s', script], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) passed++;
  else {
    console.error(`${script} failed`);
    failed++;
    ok = false;
  }
}

/** Runs jest once and adds its counts; a pass that writes no summary counts as one failure. */
function jest(label, args, env = {}) {
  console.log(`\n> jest: ${label}`);
  rmSync(out, { force: true });
  // The caller's arguments first: jest's array options (--selectProjects, ...) would swallow path patterns after them.
  const r = spawnSync('npx', ['jest', ...jestArgs, '--json', `--outputFile=${out}`, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  let summary;
  try {
    summary = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    console.error(`jest (${label}) wrote no JSON summary`);
    failed++;
    ok = false;
    return;
  }
  const f = summary.numFailedTests + (summary.numRuntimeErrorTestSuites ?? 0);
  console.log(`jest (${label}): ${summary.numPassedTests} passed, ${f} failed`);
  passed += summary.numPassedTests;
  failed += f;
  skipped += summary.numPendingTests + (summary.numTodoTests ?? 0);
  if (r.status !== 0 || f > 0) ok = false;
}

if (on('KARD_TEST_STATIC', true)) {
  check('lint');
  check('typecheck');
}
if (on('KARD_FORMAT_CHECK', FORMAT_CHECK_DEFAULT)) check('format:check');
jest('all projects, best backend', [`--testPathIgnorePatterns=${WEBGPU_TESTS}`]);
if (on('KARD_TEST_CPU_PASS', true)) {
  // --passWithNoTests: a path pattern given on the command line may match nothing in these three projects.
  const select = NUMERICS_PROJECTS.map((p) => `--selectProjects=${p}`);
  const skip = [...CPU_PASS_SKIP, WEBGPU_TESTS].map((p) => `--testPathIgnorePatterns=${p}`);
  // The pure-JS backend is several times slower: tests without their own timeout get 5 minutes.
  jest('numerics on the cpu backend', ['--passWithNoTests', '--testTimeout=300000', ...select, ...skip], {
    KARD_BACKEND: 'cpu',
  });
}

if (on('KARD_TEST_WEBGPU_PASS', true)) {
  // With no GPU driver, the tests need SwiftShader's: say how to get it rather than fail inside Dawn.
  const icds = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d'].flatMap((d) => {
    try {
      return readdirSync(d).filter((n) => !/swiftshader|lvp|lavapipe/i.test(n));
    } catch {
      return [];
    }
  });
  if (process.platform === 'linux' && !process.env.VK_ICD_FILENAMES && !icds.length && !existsSync(SWIFTSHADER_ICD)) {
    console.error(
      `\nwebgpu pass: no Vulkan driver and no ${SWIFTSHADER_ICD}: run tools/setup/setup.sh (installs chromium, ` +
        'whose SwiftShader is the CPU Vulkan driver these tests use, and libvulkan1)',
    );
    failed++;
    ok = false;
  } else {
    // One jest process per file: Dawn's native module does not survive a second GPU instance in the process that
    // a test file before it used (jest reuses its worker across files), and the second file hangs in its first read.
    const files = spawnSync('git', ['ls-files', '*.webgpu.test.ts'], { cwd: root, encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    for (const file of files)
      jest(`webgpu (SwiftShader without a GPU): ${file}`, ['--passWithNoTests', '--testTimeout=300000', file], {
        KARD_BACKEND: 'webgpu',
      });
  }
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok && failed === 0 && passed > 0 ? 0 : 1);
