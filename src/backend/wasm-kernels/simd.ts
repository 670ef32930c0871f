/**
 * nrelu-bench's SIMD kernels (simd.wat, compiled into simd-module.ts) instantiated on the wasm
 * backend's own memory, so they work on tensors in place: a tensor's address is the backend's
 * memoryOffset for its dataId. Where the module cannot be had (no wasm SIMD, a TF.js build that
 * hides its memory) `simdKernels` returns null and callers use their JavaScript loop.
 */
export interface SimdExports {
  adam(
    x: number,
    m: number,
    v: number,
    g: number,
    ox: number,
    om: number,
    ov: number,
    n: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    a1: number,
    a2: number,
    eps: number,
    nlr: number,
  ): void;
  filterGradC1(
    x: number,
    dy: number,
    acc: number,
    B: number,
    H: number,
    W: number,
    oH: number,
    oW: number,
    kH: number,
    kW: number,
    Co: number,
  ): void;
  maxPoolGrad2x2(
    x: number,
    dy: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    oH: number,
    oW: number,
    C: number,
  ): void;
  reluGrad(x: number, dy: number, dx: number, n: number): void;
  leakyReluGrad(x: number, dy: number, dx: number, n: number, alpha: number): void;
  preluGrad(x: number, dy: number, dx: number, n: number, alpha: number): number;
  /**
   * out = column sums of x [rows, cols] (cols % 4 == 0) in float64, as columnSumInto; acc: cols float64s of scratch.
   */
  columnSum(x: number, rows: number, cols: number, acc: number, out: number): void;
  /** y (holding N(0, 1) values) = x > 0 ? x : y * sigma. */
  noisyReluAhead(x: number, y: number, n: number, sigma: number): void;
  /** out = GELU(x); if withGrad, also g = GELU'(x) (g unused otherwise). */
  gelu(x: number, out: number, g: number, n: number, withGrad: number): void;
  inputGradC1(
    dy: number,
    w: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    oH: number,
    oW: number,
    kH: number,
    kW: number,
    Co: number,
  ): void;
}

import { SIMD_MODULE_BASE64 } from './simd-module.js';

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type WasmModule = object;
interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  validate(bytes: Uint8Array): boolean;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type WasmBackendInternals = {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap?: { get(id: object): { memoryOffset: number } | undefined };
};

let compiled: WasmModule | null | undefined;
const instances = new WeakMap<WasmMemory, SimdExports>();
let enabled = true;

/** Switches the SIMD kernels off (for tests and benchmarks of the JavaScript loops); returns the previous setting. */
export function useSimdKernels(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

function simdModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(SIMD_MODULE_BASE64, 'base64');
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

/** The SIMD kernels bound to `backend`'s memory, or null. */
export function simdKernels(backend: unknown): SimdExports | null {
  if (!enabled) return null;
  const memory = (backend as WasmBackendInternals).wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let kernels = instances.get(memory);
  if (kernels == null) {
    const module = simdModule();
    if (module == null) return null;
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdExports;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** The byte address of a tensor's data in the wasm backend's memory. */
export function addressOf(backend: unknown, info: { dataId: object }): number {
  const entry = (backend as WasmBackendInternals).dataIdMap?.get(info.dataId);
  if (entry == null) throw new Error('tensor is not in the wasm backend');
  return entry.memoryOffset;
}
