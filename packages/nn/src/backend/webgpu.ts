// The `webgpu` backend: @tensorflow/tfjs-backend-webgpu running in Node on Dawn (the `webgpu` package's prebuilt
// dawn.node), so on Vulkan (Linux), Metal (macOS) or D3D12 (Windows). This module finds the driver, picks and
// reports the adapter, and fills two gaps of tfjs-backend-webgpu in Node:
// - synchronous reads (dataSync/arraySync): tfjs reads through an OffscreenCanvas, which Node lacks. Dawn finishes a
//   buffer map only when its event pump runs, and dawn.node schedules that pump with setImmediate; readSync below
//   calls the pump itself until the map lands, so dataSync works with no change to callers.
// - errors: a tensor larger than the device's buffer limits throws a KardError naming its shape (WebGPU would hand
//   back an invalid buffer and fail later, far from the cause). Out of GPU memory throws a WebGpuError naming the
//   tensor from the op that allocated it (Dawn reports a failed createBuffer to 'uncapturederror' before the call
//   returns); other GPU errors and device loss are recorded and thrown at the next allocation or read.
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { KardError } from '@kard/core';

/** The Vulkan driver (ICD) of the SwiftShader CPU emulator that Debian's chromium package installs. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
/** Where the Vulkan loader looks for driver manifests when VK_ICD_FILENAMES is unset. */
export const VULKAN_ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

/** What the Vulkan driver search found (Linux); reported in errors and by `webgpuAdapterReport`. */
export interface IcdSearch {
  /** VK_ICD_FILENAMES as it was before this module looked (undefined: unset). */
  envBefore?: string;
  /** Driver manifests found in VULKAN_ICD_DIRS. */
  found: string[];
  /** Those that drive real hardware (not SwiftShader, lavapipe/llvmpipe). */
  hardware: string[];
  /** What this module did about VK_ICD_FILENAMES. */
  action: string;
}

export interface WebGpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software (CPU-emulated) adapter: SwiftShader. */
  software: boolean;
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
  };
  /** The Vulkan driver search (Linux only). */
  icd?: IcdSearch;
}

/** Thrown when the GPU fails: a tensor too large for it, out of memory, device lost. */
export class WebGpuError extends KardError {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuError';
  }
}

const SOFTWARE_ICD = /swiftshader|lvp|lavapipe|llvmpipe/i;

/** Lists the Vulkan driver manifests the loader would see; never throws. */
export function searchVulkanIcds(dirs: readonly string[] = VULKAN_ICD_DIRS): Omit<IcdSearch, 'action'> {
  const found: string[] = [];
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.json')) found.push(path.join(dir, n));
  }
  const hardware = found.filter((f) => !SOFTWARE_ICD.test(path.basename(f)) && !SOFTWARE_ICD.test(icdLibrary(f)));
  return { envBefore: process.env.VK_ICD_FILENAMES, found, hardware };
}

function icdLibrary(manifest: string): string {
  try {
    return String(
      (JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: string } }).ICD?.library_path,
    );
  } catch {
    return '';
  }
}

function describeSearch(s: Omit<IcdSearch, 'action'>): string {
  const env = s.envBefore === undefined ? 'VK_ICD_FILENAMES unset' : `VK_ICD_FILENAMES=${s.envBefore}`;
  const found = s.found.length ? s.found.join(', ') : 'none';
  return `${env}; driver manifests in ${VULKAN_ICD_DIRS.join(', ')}: ${found}`;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

interface Loaded {
  gpu: GPU;
  adapter: GPUAdapter;
  report: WebGpuAdapterReport;
}

let loaded: Loaded | undefined;
let dawn: DawnModule | undefined;
/** The dawn.node callbacks queued with setImmediate and not yet run: calling them pumps Dawn's events. */
const pendingPumps = new Set<() => void>();
let pumping = false;
let schedule: (pump: () => void) => unknown = () => undefined;
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
const PUMP_HANDLE = { ref: () => PUMP_HANDLE, unref: () => PUMP_HANDLE, hasRef: () => false };

/**
 * Routes dawn.node's setImmediate calls (native functions) through `pendingPumps`, so readSync can run them now.
 * Installed on the global dawn.node was loaded from, before it is loaded. Other callers are untouched.
 */
function installPump(): void {
  // Under jest, test code sees a sandbox global; dawn.node sees Node's own, which runInThisContext returns.
  const globals = new Set([globalThis, vm.runInThisContext('globalThis') as typeof globalThis]);
  for (const g of globals as Set<typeof globalThis & { __kardPump?: boolean }>) {
    if (g.__kardPump) continue;
    g.__kardPump = true;
    const original = g.setImmediate;
    const isNative = (fn: unknown) =>
      typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');
    g.setImmediate = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
      if (!isNative(fn) || args.length) return original(fn, ...args);
      const pump = fn as () => void;
      pendingPumps.add(pump);
      // Inside pumpUntil nothing is scheduled: a read can pump millions of times before the event loop runs again.
      return pumping ? PUMP_HANDLE : schedule(pump);
    }) as typeof setImmediate;
    schedule = (pump) =>
      original(() => {
        if (pendingPumps.delete(pump)) pump();
      });
  }
}

/** Runs Dawn's event pump until `done()` or `timeoutMs`; returns done(). */
function pumpUntil(done: () => boolean, timeoutMs: number): boolean {
  const t0 = Date.now();
  pumping = true;
  try {
    for (let i = 0; !done(); i++) {
      if (Date.now() - t0 > timeoutMs) return false;
      const now = [...pendingPumps];
      pendingPumps.clear();
      for (const p of now) p();
      // After a few quick tries, wait 50 µs between pumps instead of spinning on a shared core.
      if (i > 16) Atomics.wait(SLEEP_CELL, 0, 0, 0.05);
    }
    return true;
  } finally {
    pumping = false;
    for (const p of pendingPumps) schedule(p);
  }
}

function loadDawn(): DawnModule {
  if (dawn) return dawn;
  const req = createRequire(__filename);
  let dir: string;
  try {
    dir = path.dirname(req.resolve('webgpu/package.json'));
  } catch {
    throw new Error('the webgpu package (Dawn) is not installed');
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const file = path.join(dir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  if (!existsSync(file)) throw new Error(`webgpu has no Dawn build for ${process.platform}-${arch} (${file})`);
  installPump();
  dawn = req(file) as DawnModule;
  return dawn;
}

/**
 * Decides VK_ICD_FILENAMES before Dawn first loads (the Vulkan loader reads it once). A software driver is allowed
 * only when `allowSoftware`; then, with no hardware driver found, SwiftShader's manifest is used where it exists.
 */
function chooseIcd(allowSoftware: boolean): IcdSearch {
  const s = searchVulkanIcds();
  if (process.platform !== 'linux') return { ...s, action: `not Linux: Dawn uses ${process.platform}'s own GPU API` };
  if (s.envBefore !== undefined) {
    const named = s.envBefore.split(':').filter(Boolean);
    if (!allowSoftware && named.every((f) => SOFTWARE_ICD.test(path.basename(f)))) {
      throw new Error(`VK_ICD_FILENAMES names only software drivers (${describeSearch(s)})`);
    }
    return { ...s, action: 'VK_ICD_FILENAMES kept as set' };
  }
  if (s.hardware.length) return { ...s, action: `hardware drivers found: ${s.hardware.join(', ')}` };
  if (!allowSoftware) {
    throw new Error(`no hardware Vulkan driver (${describeSearch(s)})`);
  }
  if (!existsSync(SWIFTSHADER_ICD)) {
    throw new Error(
      `no Vulkan driver: ${describeSearch(s)}; SwiftShader's ${SWIFTSHADER_ICD} is missing too ` +
        `(run tools/setup/setup.sh, which installs chromium and libvulkan1, or set VK_ICD_FILENAMES)`,
    );
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return { ...s, action: `no hardware driver found: set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} (SwiftShader, CPU)` };
}

interface AdapterInfoLike {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

function reportOf(adapter: GPUAdapter, icd: IcdSearch | undefined): WebGpuAdapterReport {
  // `info` is newer than some copies of @webgpu/types; Dawn has it.
  const info = (adapter as unknown as { info: AdapterInfoLike }).info;
  const l = adapter.limits;
  const description = info.description || '';
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description,
    software:
      info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(`${info.architecture} ${description}`),
    limits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
    icd,
  };
}

/** One line for logs: "NVIDIA H200 (nvidia, hopper), max buffer 4 GiB". */
export function describeAdapter(r: WebGpuAdapterReport): string {
  const gib = (n: number) => `${(n / 2 ** 30).toFixed(n >= 2 ** 30 ? 0 : 2)} GiB`;
  const name = r.description || r.device || 'unnamed adapter';
  return (
    `${name} (${[r.vendor, r.architecture].filter(Boolean).join(', ') || 'unknown vendor'}` +
    `${r.software ? ', software' : ''}), max buffer ${gib(r.limits.maxBufferSize)}, ` +
    `max storage binding ${gib(r.limits.maxStorageBufferBindingSize)}`
  );
}

/** The adapter the webgpu backend runs on, once it has started. */
export function webgpuAdapterReport(): WebGpuAdapterReport | undefined {
  return loaded?.report;
}

/**
 * Loads Dawn, picks the high-performance adapter and registers tfjs's `webgpu` backend on it. A software adapter
 * is refused unless `allowSoftware`. Returns the description initBackend reports. Later calls reuse the adapter.
 */
export async function prepareWebGpu(allowSoftware: boolean): Promise<{ tfjsName: string; what: string }> {
  if (!loaded) {
    const icd = chooseIcd(allowSoftware);
    const { create, globals } = loadDawn();
    // tfjs-backend-webgpu uses the WebGPU globals (GPUBufferUsage, ...) and navigator.gpu as a browser has them.
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      const s = icd ? `; ${describeSearch(icd)}; ${icd.action}` : '';
      throw new Error(`Dawn found no WebGPU adapter${s}`);
    }
    loaded = { gpu, adapter, report: reportOf(adapter, icd) };
  }
  const { adapter, report } = loaded;
  if (report.software && !allowSoftware) {
    throw new Error(`only a software adapter (${describeAdapter(report)}); ask for it with --backend webgpu`);
  }
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    // The chosen adapter, whatever tfjs asks for; its device gets the adapter's storage-buffer limit too (tfjs asks
    // for the default 8 per shader stage, and its AddN binds one buffer per input).
    const withLimits = {
      features: adapter.features,
      limits: adapter.limits,
      info: (adapter as unknown as { info: AdapterInfoLike }).info,
      requestDevice: (desc?: GPUDeviceDescriptor) =>
        adapter.requestDevice({
          ...desc,
          requiredLimits: {
            ...desc?.requiredLimits,
            maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
          },
        }),
    };
    const gpuShim = { requestAdapter: async () => withLimits, getPreferredCanvasFormat: () => 'rgba8unorm' };
    try {
      g.navigator = Object.assign(g.navigator ?? {}, { gpu: gpuShim });
    } catch {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpuShim }, configurable: true });
    }
  }
  // The package registers its backend at import only when navigator.gpu exists, so it is loaded after the shim.
  const webgpu = createRequire(__filename)(
    '@tensorflow/tfjs-backend-webgpu',
  ) as typeof import('@tensorflow/tfjs-backend-webgpu');
  patchBackend(webgpu.WebGPUBackend as unknown as { prototype: WebGpuBackendLike });
  // On a CPU-emulated device, tfjs's matmul for tiny outputs (MatMulReduceProgram: 256 invocations a workgroup and
  // a barrier per step) runs 100-300x slower than its small-tile program (SwiftShader emulates barriers with
  // coroutines): a tiny T5 training step took seconds. So software adapters use the small-tile program for every
  // shape; hardware keeps tfjs's own choice. The flag is registered by the package import just above.
  if (report.software && tf.env().get('WEBGPU_MATMUL_PROGRAM_TYPE') === -1) {
    tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', webgpu.webgpu_util.MatMulProgramType.MatMulSmallOutputSizeProgram);
  }
  return { tfjsName: 'webgpu', what: `tfjs-backend-webgpu on Dawn: ${describeAdapter(report)}` };
}

interface TensorDataLike {
  values?: tf.backend_util.BackendValues | null;
  dtype: tf.DataType;
  shape: number[];
  resource?: GPUBuffer | null;
  complexTensorInfos?: { real: tf.TensorInfo; imag: tf.TensorInfo };
}

interface WebGpuBackendLike {
  device: GPUDevice;
  tensorMap: { get(id: tf.DataId): TensorDataLike };
  bufferManager: {
    acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
    releaseBuffer(b: GPUBuffer, reuse?: boolean): void;
  };
  commandEncoder: GPUCommandEncoder;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(id: tf.DataId, v: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(id: tf.DataId): tf.backend_util.BackendValues;
  read(id: tf.DataId): Promise<tf.backend_util.BackendValues>;
  uploadToGPU(id: tf.DataId): void;
  __kardWatched?: boolean;
}

/** The GPU failure seen since the last read, if any. */
let pendingFailure: string | undefined;
/** Out-of-memory errors seen so far: uploadToGPU compares it around its allocation. */
let outOfMemoryCount = 0;
/** The last tensor given a GPU buffer: the likely culprit of an out-of-memory error. */
let lastAllocation = '';

function shapeText(d: TensorDataLike): string {
  return `${d.dtype} [${d.shape.join(', ')}]`;
}

function throwPending(): void {
  if (pendingFailure === undefined) return;
  const msg = pendingFailure;
  pendingFailure = undefined;
  throw new WebGpuError(msg);
}

/** Watches the device for errors and loss once per device. */
function watch(backend: WebGpuBackendLike): void {
  if (backend.__kardWatched) return;
  backend.__kardWatched = true;
  const device = backend.device;
  device.addEventListener('uncapturederror', (ev) => {
    // Thrown from here on as a WebGpuError; unprevented, dawn.node also prints each one to stdout (a failed buffer
    // prints one message per op that later binds it).
    ev.preventDefault();
    const e = (ev as GPUUncapturedErrorEvent).error;
    const oom = e.constructor?.name === 'GPUOutOfMemoryError' || /out of memory|OutOfMemory/i.test(e.message);
    if (oom) outOfMemoryCount++;
    pendingFailure ??= oom
      ? `webgpu: out of GPU memory allocating ${lastAllocation || 'a tensor'}: ${e.message}`
      : `webgpu: GPU error (last tensor allocated: ${lastAllocation || 'none'}): ${e.message}`;
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') pendingFailure ??= `webgpu: device lost (${info.reason}): ${info.message}`;
  });
}

let patched = false;
const READ_TIMEOUT_MS = Number(process.env.KARD_WEBGPU_READ_TIMEOUT_MS ?? 600_000);

function patchBackend(cls: { prototype: WebGpuBackendLike }): void {
  if (patched) return;
  patched = true;
  const proto = cls.prototype;
  const upload = proto.uploadToGPU;
  proto.uploadToGPU = function (this: WebGpuBackendLike, dataId: tf.DataId) {
    watch(this);
    const d = this.tensorMap.get(dataId);
    if (d.resource != null) return;
    // A failure an earlier op left (a lost device, an error Dawn reported late) stops the next op, not only the read.
    throwPending();
    const bytes = 4 * d.shape.reduce((a, b) => a * b, 1);
    const lim = this.device.limits;
    const max = Math.min(lim.maxBufferSize, lim.maxStorageBufferBindingSize);
    if (bytes > max) {
      throw new WebGpuError(
        `webgpu: tensor ${shapeText(d)} needs ${bytes} bytes, more than this device allows in one buffer ` +
          `(maxBufferSize ${lim.maxBufferSize}, maxStorageBufferBindingSize ${lim.maxStorageBufferBindingSize})`,
      );
    }
    lastAllocation = `tensor ${shapeText(d)} (${bytes} bytes)`;
    const oomBefore = outOfMemoryCount;
    try {
      upload.call(this, dataId);
    } catch (e) {
      // A tensor with values gets a buffer mapped at creation, and Dawn throws a RangeError when it cannot allocate
      // one (checked by name: under jest the error comes from another realm).
      if ((e as Error)?.name !== 'RangeError') throw e;
      throw new WebGpuError(`webgpu: out of GPU memory allocating ${lastAllocation}: ${(e as Error).message}`);
    }
    if (outOfMemoryCount !== oomBefore) {
      // The buffer Dawn handed back is invalid: destroyed rather than pooled, where a later tensor of the same size
      // would get it and fail too.
      const failed = d.resource;
      d.resource = null;
      if (failed) this.bufferManager.releaseBuffer(failed, false);
      throwPending();
    }
  };
  const read = proto.read;
  proto.read = async function (this: WebGpuBackendLike, dataId: tf.DataId) {
    throwPending();
    const v = await read.call(this, dataId);
    throwPending();
    return v;
  };
  proto.readSync = function (this: WebGpuBackendLike, dataId: tf.DataId) {
    throwPending();
    const d = this.tensorMap.get(dataId);
    if (d.values != null || d.dtype === 'string') return d.values as tf.backend_util.BackendValues;
    if (d.dtype === 'complex64') throw new WebGpuError('webgpu: synchronous reads of complex64 are not supported');
    const buffer = d.resource as GPUBuffer;
    const size = buffer.size;
    lastAllocation = `the buffer reading tensor ${shapeText(d)} back (${size} bytes)`;
    const staging = this.bufferManager.acquireBuffer(size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    if (pendingFailure !== undefined) {
      this.bufferManager.releaseBuffer(staging, false);
      throwPending();
    }
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    this.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    this.submitQueue();
    let failed: unknown;
    staging.mapAsync(GPUMapMode.READ).catch((e: unknown) => (failed = e));
    // Minutes: a large step on a CPU-emulated device is slow, but a lost device must not hang forever.
    // 'pending' until Dawn runs the map callback; 'unmapped' after it when the map failed.
    const ok = pumpUntil(() => staging.mapState !== 'pending' || pendingFailure !== undefined, READ_TIMEOUT_MS);
    throwPending();
    if (!ok || staging.mapState !== 'mapped') {
      throw new WebGpuError(
        `webgpu: reading tensor ${shapeText(d)} back failed: ${failed ?? `timed out after ${READ_TIMEOUT_MS / 1000} s`}`,
      );
    }
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    this.bufferManager.releaseBuffer(staging);
    const values = tf.util.convertBackendValuesAndArrayBuffer(bytes, d.dtype);
    return this.convertAndCacheOnCPU(dataId, values);
  };
}
