// Run by webgpu.webgpu.test.ts in its own process: runs the webgpu backend out of memory for real and prints what it
// threw. On SwiftShader, device memory is host memory, so a cap on this process's address space (set here with
// prlimit once the backend is up, at its size then plus `headroomMiB`) makes vkAllocateMemory fail while every
// buffer stays within the device's limits. Uses the built package (dist/), like the CLI tests.
//   node webgpu-oom-child.cjs <fill|values> <headroomMiB>
// Prints one JSON line { allocated, threw, values, again } and exits 0; exits 2 on a hardware adapter (the cap would
// not bound its memory).
/* global require, process, console */
/* eslint-disable @typescript-eslint/no-require-imports */
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const tf = require('@tensorflow/tfjs-core');
const { initBackend, webgpuAdapterReport } = require('@kard/nn');

const SHAPE = [16, 1024, 1024]; // 64 MiB of float32
const MAX_TENSORS = 256; // 16 GiB: far past any headroom the test asks for

async function main() {
  const [mode, headroomMiB] = [process.argv[2], Number(process.argv[3])];
  await initBackend({ backend: 'webgpu' });
  if (!webgpuAdapterReport().software) {
    console.log(JSON.stringify({ skipped: 'a hardware adapter: an address-space cap does not bound its memory' }));
    process.exit(2);
  }
  tf.fill([8, 8], 1).dataSync(); // SwiftShader starts its threads and compiler on first use: before the cap
  // The values mode's one JS array, made before the cap too: each tensor copies it to the GPU before it is refilled.
  const values = mode === 'values' ? new Float32Array(16 << 20) : undefined;
  const vmKiB = Number(/VmSize:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  const cap = (vmKiB + headroomMiB * 1024) * 1024;
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--as=${cap}:`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`prlimit failed: ${r.stderr || r.error}`);

  // No read in the loop, as in a training step: the failing op itself must throw.
  const kept = [];
  let threw;
  try {
    for (let i = 0; i < MAX_TENSORS; i++) {
      if (mode === 'fill') kept.push(tf.fill(SHAPE, i + 1));
      else {
        // A tensor made from values goes to the GPU when an op first uses it (here a one-element slice).
        kept.push(tf.tensor(values.fill(i + 1), SHAPE));
        tf.dispose(tf.slice(kept[i], [0, 0, 0], [1, 1, 1]));
      }
    }
  } catch (e) {
    threw = `${e.name}: ${e.message}`;
  }
  // After the failure the backend goes on: the tensors made before it hold their values (one element read each),
  // and once they are freed their buffers are reused for a new one.
  const last = (t) => t.slice([15, 1023, 1023], [1, 1, 1]).dataSync()[0];
  const read = kept.map(last);
  const allocated = kept.length;
  tf.dispose(kept);
  const again = last(tf.fill(SHAPE, -1));
  console.log(JSON.stringify({ allocated, threw, values: read, again }));
}

main().catch((e) => {
  console.log(JSON.stringify({ failed: `${e.name}: ${e.message}` }));
  process.exit(1);
});
