// Jest environment for tests that run onnxruntime-node: the native addon creates typed arrays in Node's
// main realm, and onnxruntime-common (loaded inside Jest's sandbox) checks them with `instanceof` against
// the sandbox's constructors, which fails ("A float32 tensor's data must be type of Float32Array").
// Giving the sandbox the main realm's typed-array constructors makes both sides agree.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
