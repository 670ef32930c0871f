/**
 * The 'webgpu' backend: @tensorflow/tfjs-backend-webgpu on Dawn's Node.js binding (the `webgpu`
 * package, which ships dawn.node and opens libvulkan.so.1 or libEGL at run time). Both packages
 * are optional dependencies.
 *
 * Adapter choice, first that gives one:
 *   1. Vulkan at full ('core') feature level: real GPUs through their driver's Vulkan ICD;
 *   2. OpenGL ES in compatibility mode: Mesa's software renderer (llvmpipe) on machines without a
 *      GPU, headless through EGL_PLATFORM=surfaceless (set here when unset).
 * Dawn's `null` backend and null adapters are never accepted (a null device computes nothing),
 * and the chosen device must get a small matMul right before it is used.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../tf.js';
import { errorMessage } from '../errors.js';
import { describeImportError } from './native.js';
import { importOptional } from './optional-import.js';
import { registerWebGpuNoiseKernels } from './webgpu-noise.js';
import { registerWebGpuConvKernels } from './webgpu-conv.js';
import { registerWebGpuPoolKernels } from './webgpu-pool.js';
import { registerWebGpuActivationGradKernels } from './webgpu-activation-grads.js';
import { registerWebGpuAdamKernel } from './webgpu-adam.js';
import { registerWebGpuGeluKernels } from './webgpu-gelu.js';
import { registerWebGpuDropoutKernel } from './webgpu-dropout.js';
import type { WebGpuUtil } from './webgpu-program.js';

/** What the harness records about the adapter (info, manifest.json). */
export interface WebGpuAdapterInfo {
  /** Dawn backend: 'vulkan' or 'opengles'. */
  api: string;
  featureLevel: 'core' | 'compatibility';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** llvmpipe, lavapipe, SwiftShader or another CPU implementation: a correctness run, not GPU speed. */
  software: boolean;
}

export type WebGpuProbe = { ok: true; adapter: WebGpuAdapterInfo; tried: string[] } | { ok: false; reason: string };

export const WEBGPU_INSTALL_HINT =
  'npm install webgpu@0.6 @tensorflow/tfjs-backend-webgpu@4.22 (optional dependencies); a GPU needs libvulkan1 and ' +
  "its driver's Vulkan ICD, Mesa's software renderer needs libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri";

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software rasterizer|\bsoftware\b/i;

interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

const CANDIDATES = [
  { api: 'vulkan', featureLevel: 'core' },
  { api: 'opengles', featureLevel: 'compatibility' },
] as const;

/** True for an adapter of Dawn's null backend (or one that names nothing at all). */
export function isNullAdapter(info: GpuAdapter['info']): boolean {
  const fields = [info?.vendor, info?.architecture, info?.device, info?.description].map((v) => (v ?? '').trim());
  return fields.every((v) => v === '') || /null/i.test(fields[2]) || /null backend/i.test(fields[3]);
}

export function isSoftwareAdapter(
  info: Pick<WebGpuAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>,
): boolean {
  return [info.vendor, info.architecture, info.device, info.description].some((v) => SOFTWARE.test(v));
}

/** One line naming the adapter, e.g. "nvidia ampere (NVIDIA H100), Vulkan". */
export function describeAdapter(a: WebGpuAdapterInfo): string {
  const name = [a.vendor, a.architecture].filter((v) => v !== '').join(' ') || a.device || 'unknown adapter';
  const detail = [a.device, a.description].filter((v) => v !== '' && v !== name).join('; ');
  const api = a.api === 'vulkan' ? 'Vulkan' : 'OpenGL ES compatibility mode';
  return `${name}${detail ? ` (${detail})` : ''}, ${api}${a.software ? ', software renderer' : ''}`;
}

let dawn: Promise<DawnModule | string> | undefined;
type Found = { gpu: Gpu; options: Record<string, unknown>; adapter: WebGpuAdapterInfo; first: GpuAdapter | null };
let chosen: Found | undefined;
const candidates = new Map<string, Promise<Found | string>>();
const probes = new Map<boolean, Promise<WebGpuProbe>>();

async function loadDawn(): Promise<DawnModule | string> {
  try {
    const mod = (await importOptional('webgpu')) as DawnModule;
    return mod;
  } catch (err) {
    return describeImportError('webgpu', err);
  }
}

/** Whether the Vulkan loader is on the library path (else Dawn only prints a warning and finds nothing). */
function vulkanLoaderFound(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')));
}

/**
 * Finds an adapter (cached for the process); does not touch TF.js. `hardwareOnly` tries Vulkan
 * alone (what `auto` needs: OpenGL ES here is a software renderer or a GPU Vulkan also reaches).
 */
export function probeWebGpu(options: { hardwareOnly?: boolean } = {}): Promise<WebGpuProbe> {
  const hardwareOnly = options.hardwareOnly === true;
  let probe = probes.get(hardwareOnly);
  if (probe === undefined) {
    probe = findAdapter(hardwareOnly);
    probes.set(hardwareOnly, probe);
  }
  return probe;
}

async function findAdapter(hardwareOnly: boolean): Promise<WebGpuProbe> {
  dawn ??= loadDawn();
  const mod = await dawn;
  if (typeof mod === 'string') return { ok: false, reason: mod };
  Object.assign(globalThis, mod.globals);
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const tried: string[] = [];
  for (const { api, featureLevel } of CANDIDATES) {
    if (hardwareOnly && api !== 'vulkan') continue;
    let result = candidates.get(api);
    if (result === undefined) {
      result = tryCandidate(mod, api, featureLevel);
      candidates.set(api, result);
    }
    const found = await result;
    if (typeof found === 'string') {
      tried.push(`${api} (${featureLevel}): ${found}`);
      continue;
    }
    if (!hardwareOnly) chosen ??= found;
    return { ok: true, adapter: found.adapter, tried };
  }
  return { ok: false, reason: `Dawn found no usable adapter (${tried.join('; ')})` };
}

async function tryCandidate(
  mod: DawnModule,
  api: string,
  featureLevel: 'core' | 'compatibility',
): Promise<Found | string> {
  if (api === 'vulkan' && !vulkanLoaderFound()) return 'libvulkan.so.1 not found (install libvulkan1)';
  try {
    const gpu = mod.create([`backend=${api}`]);
    const options = { featureLevel, powerPreference: 'high-performance' };
    const adapter = await gpu.requestAdapter(options);
    if (adapter == null) return 'no adapter';
    if (isNullAdapter(adapter.info)) return 'refused a null adapter';
    const info = adapter.info ?? {};
    const base = {
      api,
      featureLevel,
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
    };
    const described: WebGpuAdapterInfo = {
      ...base,
      software: adapter.isFallbackAdapter === true || isSoftwareAdapter(base),
    };
    return { gpu, options, adapter: described, first: adapter };
  } catch (err) {
    return errorMessage(err).split('\n')[0];
  }
}

let tfjsWebGpu: Promise<string | null> | undefined;

/**
 * Registers TF.js's 'webgpu' backend on the adapter `probeWebGpu` chose, with our kernels.
 * Returns null when registered, else why not. Call only after a successful probe.
 */
export function registerWebGpuBackend(): Promise<string | null> {
  tfjsWebGpu ??= importBackend();
  return tfjsWebGpu;
}

async function importBackend(): Promise<string | null> {
  if (chosen === undefined) return 'no adapter was chosen';
  const state = chosen;
  // TF.js asks navigator.gpu for an adapter: the probed one first, then the same instance and options.
  const navigatorGpu = {
    requestAdapter: () => {
      const first = state.first;
      state.first = null;
      return first != null ? Promise.resolve(first) : state.gpu.requestAdapter(state.options);
    },
  };
  const scope = globalThis as { navigator?: object };
  if (scope.navigator == null)
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(scope.navigator, 'gpu', { value: navigatorGpu, configurable: true, writable: true });
  let util: WebGpuUtil;
  try {
    util = ((await importOptional('@tensorflow/tfjs-backend-webgpu')) as { webgpu_util: WebGpuUtil }).webgpu_util;
  } catch (err) {
    return describeImportError('@tensorflow/tfjs-backend-webgpu', err);
  }
  if (tf.findBackendFactory('webgpu') == null) {
    return (
      `@tensorflow/tfjs-backend-webgpu loaded but uses a different copy ` +
      `of @tensorflow/tfjs-core than nrelu-bench (TF.js ${tf.version.tfjs})`
    );
  }
  registerWebGpuNoiseKernels(util);
  registerWebGpuConvKernels(util);
  registerWebGpuPoolKernels(util);
  registerWebGpuActivationGradKernels(util);
  registerWebGpuAdamKernel(util);
  registerWebGpuGeluKernels(util);
  registerWebGpuDropoutKernel(util);
  return null;
}

/** A 2x2 matMul on the active backend: a device that computes nothing (Dawn's null backend) fails it. */
export async function computesCorrectly(): Promise<boolean> {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  try {
    const got = await product.data();
    return [19, 22, 43, 50].every((v, i) => got[i] === v);
  } finally {
    product.dispose();
  }
}
