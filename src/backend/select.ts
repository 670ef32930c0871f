/**
 * Backend selection. `auto` tries, in order: the native TensorFlow binding when it really runs on
 * a GPU; WebGPU (Dawn) on a hardware adapter; wasm (with our extra training kernels); TF.js's
 * plain-JavaScript cpu backend. Each skip is noted in one line. Asked for by name, 'tensorflow'
 * and 'webgpu' are used even without a GPU (with a one-line warning).
 *
 * Wasm stays single-threaded on purpose. TF.js 4.22 reports no thread support under Node.js
 * (tfjs#3830); forcing its threaded build on needs global patches (Blob-URL workers that Node
 * cannot start), leaves 8 worker threads that keep the process from exiting, and measured no
 * faster on the CNN training step, whose slowest kernels are not multithreaded.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.js';
import { UsageError, EnvironmentError } from '../errors.js';
import type { BackendName } from './names.js';
import { describeNativeDevice, loadNative, NATIVE_INSTALL_HINT } from './native.js';
import { registerWasmKernels } from './wasm-kernels/index.js';
import {
  type WebGpuAdapterInfo,
  WEBGPU_INSTALL_HINT,
  computesCorrectly,
  describeAdapter,
  probeWebGpu,
  registerWebGpuBackend,
} from './webgpu.js';
import { watchWebGpuDevice } from './webgpu-errors.js';

export type BackendRequest = BackendName;

export interface BackendSelection {
  /** The TF.js backend now active: 'tensorflow', 'webgpu', 'wasm' or 'cpu'. */
  name: string;
  /** True only on a GPU: the native build found a GPU device, or WebGPU has a hardware adapter. */
  gpu: boolean;
  /** One line per backend skipped on the way (and per warning about the chosen one). */
  notes: string[];
  /** WebGPU only: the adapter (also recorded in manifest.json). */
  adapter?: WebGpuAdapterInfo;
}

export interface BackendAvailability {
  name: string;
  available: boolean;
  reason: string;
}

type Attempt = { ok: true; selection: BackendSelection } | { ok: false; reason: string };

const WASM_THREADS_NOTE = 'TF.js 4.22 disables its threaded build under Node.js';

/** Makes `name` the active TF.js backend; see the module comment for what `auto` tries. */
export async function selectBackend(name: BackendRequest): Promise<BackendSelection> {
  if (name === 'auto') return selectAuto();
  const attempt = await attemptFor(name);
  if (attempt.ok) return attempt.selection;
  const hint =
    name === 'tensorflow'
      ? `install it with ${NATIVE_INSTALL_HINT}`
      : name === 'webgpu'
        ? WEBGPU_INSTALL_HINT
        : 'reinstall @tensorflow/tfjs-backend-wasm, or use --backend cpu';
  throw new EnvironmentError(`backend '${name}' is not available: ${attempt.reason}`, { hint });
}

/** For the `info` command: what each backend would do here. Restores the active backend. */
export async function availableBackends(): Promise<BackendAvailability[]> {
  const previous = activeBackendName();
  const result: BackendAvailability[] = [];
  try {
    const native = await attemptNative();
    result.push({
      name: 'tensorflow',
      available: native.ok,
      reason: native.ok ? describeSelection(native.selection) : native.reason,
    });
    result.push(await webGpuAvailability());
    const wasm = await attemptWasm();
    result.push({ name: 'wasm', available: wasm.ok, reason: wasm.ok ? await describeWasm() : wasm.reason });
    result.push({ name: 'cpu', available: true, reason: 'plain JavaScript; always available, slowest' });
  } finally {
    if (previous != null && activeBackendName() !== previous) await tf.setBackend(previous);
  }
  return result;
}

/**
 * WebGPU as `run` finds it: usable only when `--backend webgpu` would start (an adapter, TF.js's backend on it, and a
 * correct matMul), and said when `auto` passes it by (it takes a hardware Vulkan adapter only).
 */
async function webGpuAvailability(): Promise<BackendAvailability> {
  const attempt = await attemptWebGpu();
  if (!attempt.ok) return { name: 'webgpu', available: false, reason: attempt.reason };
  const adapter = attempt.selection.adapter as WebGpuAdapterInfo;
  const hardware = await probeWebGpu({ hardwareOnly: true });
  const byAuto = hardware.ok && !hardware.adapter.software;
  const software = adapter.software ? ' (a correctness run, not GPU speed)' : '';
  const auto = byAuto ? '' : '; only with --backend webgpu: auto skips it, having no hardware Vulkan adapter';
  return { name: 'webgpu', available: true, reason: `${describeAdapter(adapter)}${software}${auto}` };
}

async function selectAuto(): Promise<BackendSelection> {
  const notes: string[] = [];
  const native = await attemptNative();
  if (native.ok && native.selection.gpu) return native.selection;
  notes.push(native.ok ? 'tensorflow: skipped, it runs on the CPU here' : `tensorflow: ${native.reason}`);
  const probe = await probeWebGpu({ hardwareOnly: true });
  if (probe.ok && !probe.adapter.software) {
    const webgpu = await attemptWebGpu();
    if (webgpu.ok) return { ...webgpu.selection, notes: [...notes, ...webgpu.selection.notes] };
    notes.push(`webgpu: ${webgpu.reason}`);
  } else {
    notes.push(
      probe.ok
        ? `webgpu: skipped, its adapter is a software renderer (${describeAdapter(probe.adapter)})`
        : `webgpu: no GPU: ${probe.reason}`,
    );
  }
  const wasm = await attemptWasm();
  if (wasm.ok) return { ...wasm.selection, notes: [...notes, ...wasm.selection.notes] };
  notes.push(`wasm: ${wasm.reason}`);
  const cpu = await attemptCpu();
  if (!cpu.ok) throw new EnvironmentError(`no TF.js backend could be initialised: ${cpu.reason}`);
  return { ...cpu.selection, notes: [...notes, ...cpu.selection.notes] };
}

function attemptFor(name: Exclude<BackendRequest, 'auto'>): Promise<Attempt> {
  switch (name) {
    case 'tensorflow':
      return attemptNative();
    case 'webgpu':
      return attemptWebGpu();
    case 'wasm':
      return attemptWasm();
    case 'cpu':
      return attemptCpu();
    default:
      throw new UsageError(`unknown backend '${String(name)}'; use auto, tensorflow, webgpu, wasm or cpu`);
  }
}

async function attemptWebGpu(): Promise<Attempt> {
  const probe = await probeWebGpu();
  if (!probe.ok) return { ok: false, reason: probe.reason };
  const failure = await registerWebGpuBackend();
  if (failure != null) return { ok: false, reason: failure };
  if (!(await activate('webgpu')))
    return { ok: false, reason: '@tensorflow/tfjs-backend-webgpu failed to initialise on the adapter' };
  watchWebGpuDevice();
  if (!(await computesCorrectly()))
    return { ok: false, reason: `the adapter (${describeAdapter(probe.adapter)}) computes wrong results; refused` };
  const { adapter } = probe;
  const notes = probe.tried.map((line) => `webgpu: skipped ${line}`);
  if (adapter.software) notes.push(`webgpu: warning: ${describeAdapter(adapter)}; a correctness run, not GPU speed`);
  return { ok: true, selection: { name: 'webgpu', gpu: !adapter.software, notes, adapter } };
}

async function attemptNative(): Promise<Attempt> {
  const load = await loadNative();
  if (!load.ok) return { ok: false, reason: load.skipped.join('; ') };
  if (!(await activate('tensorflow'))) {
    return { ok: false, reason: `${load.packageName} loaded but its backend failed to initialise` };
  }
  const device = describeNativeDevice(tf.backend(), load.packageName);
  const skipped = load.skipped.map((line) => `tensorflow: ${line}`);
  return {
    ok: true,
    selection: { name: 'tensorflow', gpu: device.gpu, notes: [...skipped, ...device.notes] },
  };
}

async function attemptWasm(): Promise<Attempt> {
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
    return { ok: false, reason: 'this Node.js has no WebAssembly' };
  const kernels = registerWasmKernels();
  if (!(await activate('wasm'))) return { ok: false, reason: '@tensorflow/tfjs-backend-wasm failed to initialise' };
  const notes = kernels.skipped.map((k) => `wasm: kept the ${k} kernel TF.js already registers instead of ours`);
  return { ok: true, selection: { name: 'wasm', gpu: false, notes } };
}

async function attemptCpu(): Promise<Attempt> {
  // The cpu backend prints a multi-line "looks like you are running TensorFlow.js in Node.js,
  // install tfjs-node" banner on its first tensor. We already report backend choices in one line,
  // and TF.js only offers the PROD flag to silence it (it also mutes TF.js's other console warnings).
  tf.env().set('PROD', true);
  if (!(await activate('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
  return { ok: true, selection: { name: 'cpu', gpu: false, notes: [] } };
}

/** setBackend resolves false (and only logs) when a backend's initialisation throws. */
async function activate(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

function activeBackendName(): string | null {
  // A plain field read (no initialisation side effect); null before any backend was set.
  const name: string | null | undefined = tf.getBackend();
  return name || null;
}

function describeSelection(selection: BackendSelection): string {
  const device = selection.gpu ? 'GPU' : 'CPU only';
  return [device, ...selection.notes].join('; ');
}

async function describeWasm(): Promise<string> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true ? 'SIMD' : 'no SIMD';
  const { registered } = registerWasmKernels();
  return (
    `WebAssembly (${simd}, ${getThreadsCount()} thread; ${WASM_THREADS_NOTE}); ` +
    `nrelu-bench kernels: ${registered.join(', ')}`
  );
}
