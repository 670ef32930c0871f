/**
 * Seeded noise for the stochastic activations, and the fused kernels that apply it.
 *
 * Noise is counter-based (src/train/rng.ts): in training pass `step` of a layer with seed
 * `seed`, element i (in row-major order) gets value i of the stream `streamKey(seed, step)`,
 * a pure function of (seed, step, i). So the same seed and number of calls give bit-identical
 * noise, a resumed run only has to restore the step counter, and any subset of the elements
 * can be drawn on its own, by any thread.
 *
 * Three ways to the same values:
 * - a fused kernel for the backends whose tensors live in JavaScript-visible memory (cpu, and
 *   wasm's heap): one pass over x that draws noise only for the elements that need it and
 *   writes the output, with no noise tensor, comparison or select;
 * - a generic tensor path for every other backend (the native 'tensorflow' binding, webgl):
 *   the whole noise array is drawn in JavaScript, uploaded and combined with TF.js ops;
 * - on Node.js, N-ReLU's normals for a layer's next pass are drawn ahead on a worker thread
 *   while the current step trains (wasm and cpu use one thread, so a second core is free);
 *   the next pass takes them if they are ready, else draws its own. Same generator source,
 *   same values.
 * `useNoiseKernels` and `useNoisePrefetch` turn the kernels and the worker off (for tests and
 * benchmarks of the other paths).
 */
import { tf } from '../tf.js';
import {
  type StreamKey, counterHash, createCounterSampler, fillCounterNormal, fillCounterUniform, normalAt, streamKey,
} from '../train/rng.js';
import { UserError } from '../errors.js';

/** Generic-path buffers kept per layer: typically the full batch and the last, smaller batch of an epoch. */
const MAX_BUFFERS = 4;

/** One pass's N(0, 1) noise: its stream, and the values if the worker drew them ahead. */
export interface NormalDraw {
  key: StreamKey;
  /** All of the pass's values (element i at index i), or null: draw them from `key`. */
  values: Float32Array | null;
}

export class SeededNoise {
  readonly seed: number;
  private step = 0;
  private readonly buffers = new Map<number, Float32Array>();
  private ahead: Prefetch | null = null;
  private lastSize = -1;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new UserError(`noise seed must be an integer, got ${seed}`);
    this.seed = seed >>> 0;
  }

  /** Number of training-mode forward passes drawn so far. */
  getStep(): number {
    return this.step;
  }

  /** Restores the counter, e.g. when resuming a run from a checkpoint. */
  setStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new UserError(`noise step must be an integer >= 0, got ${step}`);
    this.step = step;
  }

  /** Consumes one step without drawing (keeps later steps aligned when a pass needs no noise). */
  skip(): void {
    this.step++;
  }

  /** The stream of pass `step` (element i of that pass's noise is value i of this stream). */
  keyAt(step: number): StreamKey {
    return streamKey(this.seed, step);
  }

  /** The stream of the next pass; consumes the step. */
  nextKey(): StreamKey {
    return this.keyAt(this.step++);
  }

  /** The next pass's N(0, 1) noise of `size` elements, drawn ahead if it was; consumes the step. */
  nextNormal(size: number): NormalDraw {
    const step = this.step++;
    return { key: this.keyAt(step), values: this.ahead?.take(step, size) ?? null };
  }

  /**
   * Starts drawing the next pass's normals (`size` elements) on the worker, where there is one.
   * Only in steady state - this pass had the size of the one before - and up to MAX_PREFETCH
   * elements, so one-off passes (a probe's large batches, the last batch of an epoch) neither
   * keep big buffers alive nor cost the worker a draw nobody takes.
   */
  prefetchNormal(size: number): void {
    const steady = size === this.lastSize;
    this.lastSize = size;
    if (!prefetchEnabled || !steady || size < MIN_PREFETCH || size > MAX_PREFETCH || noiseWorker() == null) return;
    this.ahead ??= new Prefetch();
    this.ahead.request(this.step, size, this.keyAt(this.step));
  }

  /**
   * N(0, 1) noise of `size` elements for the next step (the generic path). The array is reused
   * by later calls of the same size.
   */
  normal(size: number): Float32Array {
    const draw = this.nextNormal(size);
    const buf = this.buffer(size);
    if (draw.values) buf.set(draw.values);
    else fillCounterNormal(buf, draw.key);
    this.prefetchNormal(size);
    return buf;
  }

  /** U(low, high) noise of `size` elements for the next step (reused like `normal`'s). */
  uniform(size: number, low: number, high: number): Float32Array {
    return fillCounterUniform(this.buffer(size), this.nextKey(), low, high);
  }

  private buffer(size: number): Float32Array {
    let buf = this.buffers.get(size);
    if (buf === undefined) {
      if (this.buffers.size >= MAX_BUFFERS) this.buffers.clear();
      buf = new Float32Array(size);
      this.buffers.set(size, buf);
    }
    return buf;
  }
}

/* ------------------------------------------------------------------------------------------
 * Drawing ahead on a worker thread. One worker for the process, started on first use and
 * unref'd (it never keeps the process alive). Each layer has one shared buffer: the layer asks
 * for pass n+1 right after pass n has used the buffer, the worker fills it and flips a shared
 * flag, and pass n+1 takes it if the flag says done. It never waits: a worker that is late
 * (a busy machine) or gone costs nothing but the draw in place that would have happened
 * anyway, and the worker draws every element where the kernel draws only those that need it,
 * so waiting would often be slower. Anything that does not match (another size, a step set by
 * hand) also draws in place.
 */
const PENDING = 1, DONE = 2, FAILED = 3;
/** Smaller passes are drawn in place: the round trip would cost about as much as the draw. */
const MIN_PREFETCH = 8192;
/** Larger passes (e.g. a probe's 1024-sample batches) are drawn in place: 32 MiB per layer at most. */
const MAX_PREFETCH = 1 << 23;

let prefetchEnabled = true;

/** Turns drawing ahead on a worker on or off. Returns the old setting. */
export function useNoisePrefetch(enabled: boolean): boolean {
  const previous = prefetchEnabled;
  prefetchEnabled = enabled;
  return previous;
}

/** Passes asked of the worker, and passes that used its draw (for tests and benchmarks). */
export const prefetchStats = { requested: 0, used: 0 };

type WorkerHandle = { postMessage(message: unknown): void; unref(): void; on(event: string, listener: (...args: unknown[]) => void): unknown };
let worker: WorkerHandle | null | undefined;

/** The worker's program: the generator's own source, so it computes exactly this thread's values. */
function workerSource(): string {
  return `'use strict';
const { parentPort } = require('node:worker_threads');
// esbuild (tsx) wraps named functions in __name(...) when it compiles TypeScript; tsc does not.
const __name = (fn) => fn;
const sampler = (${createCounterSampler.toString()})();
parentPort.on('message', ({ buffer, control, size, k0, k1 }) => {
  let state = ${DONE};
  try {
    sampler.fillNormal(new Float32Array(buffer, 0, size), k0, k1, 0);
  } catch {
    state = ${FAILED};
  }
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
});`;
}

function noiseWorker(): WorkerHandle | null {
  if (worker !== undefined) return worker;
  worker = null;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const threads = proc?.getBuiltinModule?.('node:worker_threads') as
    { Worker: new (source: string, options: { eval: boolean }) => WorkerHandle } | undefined;
  if (threads == null || typeof SharedArrayBuffer !== 'function') return null;
  try {
    const w = new threads.Worker(workerSource(), { eval: true });
    w.unref();
    // A worker that fails stays failed: later passes draw in place.
    const fail = (): void => { worker = null; };
    w.on('error', fail);
    w.on('exit', fail);
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/** Requests the worker may still be filling (pruned on every request, so it stays small). */
const inFlight = new Set<Prefetch>();

/**
 * Resolves when the worker has finished every request made so far (or after `timeoutMs`).
 * Training never needs this; tests use it to make "drawn ahead" deterministic.
 */
export async function settleNoisePrefetches(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ([...inFlight].some((p) => p.pending()) && worker != null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  for (const p of inFlight) if (!p.pending()) inFlight.delete(p);
}

class Prefetch {
  private buffer: SharedArrayBuffer | null = null;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private step = -1;
  private size = 0;

  pending(): boolean {
    return Atomics.load(this.control, 0) === PENDING;
  }

  request(step: number, size: number, key: StreamKey): void {
    for (const p of inFlight) if (!p.pending()) inFlight.delete(p);
    const w = noiseWorker();
    // While a request is in flight the worker owns the buffer.
    if (w == null || this.pending()) return;
    if (this.buffer == null || this.buffer.byteLength < size * 4) this.buffer = new SharedArrayBuffer(size * 4);
    this.step = step;
    this.size = size;
    Atomics.store(this.control, 0, PENDING);
    inFlight.add(this);
    w.postMessage({ buffer: this.buffer, control: this.control, size, k0: key.k0, k1: key.k1 });
    prefetchStats.requested++;
  }

  take(step: number, size: number): Float32Array | null {
    if (!prefetchEnabled || this.buffer == null || this.step !== step || this.size !== size) return null;
    this.step = -1;
    if (Atomics.load(this.control, 0) !== DONE) return null;
    prefetchStats.used++;
    return new Float32Array(this.buffer, 0, size);
  }
}

/* ------------------------------------------------------------------------------------------
 * Fused kernels. Names are prefixed so they cannot clash with TF.js's own kernels.
 */

/** N-ReLU training forward: x > 0 ? x : sigma * eps_i. Attrs: sigma, k0, k1. Gradient dy * 1[x > 0]. */
export const NOISY_RELU_KERNEL = 'NreluBenchNoisyRelu';
/** RReLU training forward: outputs [y, slope], slope = x >= 0 ? 1 : U_i(lower, upper). Attrs: lower, upper, k0, k1. */
export const RANDOM_SLOPE_RELU_KERNEL = 'NreluBenchRandomSlopeRelu';

let kernelsEnabled = true;

/** Turns the fused kernels on or off (off: every backend takes the generic path). Returns the old setting. */
export function useNoiseKernels(enabled: boolean): boolean {
  const previous = kernelsEnabled;
  kernelsEnabled = enabled;
  return previous;
}

/** True when `kernel` will run fused on the active backend for a tensor of `dtype`. */
export function hasNoiseKernel(kernel: string, dtype: tf.DataType): boolean {
  return kernelsEnabled && dtype === 'float32' && tf.getKernel(kernel, tf.getBackend()) != null;
}

/** Prefetched normals handed to the N-ReLU kernel for the duration of one runKernel call. */
let handoff: NormalDraw | null = null;

/** Runs the fused N-ReLU kernel on `x` with the noise of `draw`. */
export function fusedNoisyRelu(x: tf.Tensor, sigma: number, draw: NormalDraw): tf.Tensor {
  handoff = draw;
  try {
    return tf.engine().runKernel(NOISY_RELU_KERNEL, { x }, { sigma, k0: draw.key.k0, k1: draw.key.k1 }) as tf.Tensor;
  } finally {
    handoff = null;
  }
}

/**
 * The kernels work through x in blocks small enough to stay in the L1/L2 cache: copy the block
 * to y, list the block's elements that need noise (a branch-free pass: x's signs are random,
 * so a branch per element would be mispredicted half of the time), then draw (or read) noise
 * for those only. One pass over memory instead of three over the whole tensor.
 */
const BLOCK = 4096;
const blockIndices = new Int32Array(BLOCK);

/**
 * Writes N-ReLU's training output for `x` into `y`. The noise branch takes every element that is
 * not > 0 (so NaN too, as where(x > 0, x, noise) does). Noise comes from `normals` when the
 * worker drew it ahead, else from the stream. Each value is rounded to float32 before the
 * float32 multiply, exactly as the generic path's tensor multiply does.
 */
export function noisyReluInto(x: Float32Array, y: Float32Array, sigma: number, key: StreamKey, normals: Float32Array | null = null): void {
  const n = x.length;
  const idx = blockIndices;
  const s = Math.fround(sigma);
  const k0 = key.k0 | 0, k1 = key.k1 | 0;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    y.set(x.subarray(start, end), start);
    let count = 0;
    for (let i = start; i < end; i++) {
      idx[count] = i;
      count += +!(x[i] > 0);
    }
    if (normals != null) {
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        y[i] = normals[i] * s;
      }
    } else {
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        y[i] = Math.fround(normalAt(i, k0, k1)) * s;
      }
    }
  }
}

/** Writes RReLU's training output and slopes for `x` (slope 1 where x >= 0, else U_i(lower, upper)). */
export function randomSlopeReluInto(x: Float32Array, y: Float32Array, slope: Float32Array, lower: number, upper: number, key: StreamKey): void {
  const n = x.length;
  const idx = blockIndices;
  const scale = (upper - lower) / 4294967296;
  const k0 = key.k0 | 0, k1 = key.k1 | 0;
  slope.fill(1);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    y.set(x.subarray(start, end), start);
    let count = 0;
    for (let i = start; i < end; i++) {
      idx[count] = i;
      count += +!(x[i] >= 0);
    }
    for (let q = 0; q < count; q++) {
      const i = idx[q];
      const a = Math.fround(lower + counterHash(i, k0, k1) * scale);
      slope[i] = a;
      y[i] = x[i] * a;
    }
  }
}

/** Float32 views of a backend's tensors; outputs are allocated before any view is taken. */
interface HostMemory {
  alloc(shape: number[]): tf.TensorInfo;
  view(info: tf.TensorInfo): Float32Array;
}

type CpuBackend = {
  data: { get(id: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};
type WasmBackend = {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): unknown;
};

function asFloat32(values: unknown, what: string): Float32Array {
  if (!(values instanceof Float32Array)) throw new Error(`${what}: expected float32 data`);
  return values;
}

function cpuMemory(backend: unknown): HostMemory {
  const cpu = backend as CpuBackend;
  return {
    alloc: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1))),
    view: (info) => asFloat32(cpu.data.get(info.dataId).values, 'cpu noise kernel'),
  };
}

function wasmMemory(backend: unknown): HostMemory {
  // The heap can grow (and detach older views) on allocation, hence views only after alloc.
  const wasm = backend as WasmBackend;
  return {
    alloc: (shape) => wasm.makeOutput(shape, 'float32'),
    view: (info) => asFloat32(wasm.typedArrayFromHeap(info), 'wasm noise kernel'),
  };
}

function keyOf(attrs: tf.NamedAttrMap | undefined): StreamKey {
  return { k0: attrs?.k0 as number, k1: attrs?.k1 as number };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function noisyReluKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const x = inputs.x as tf.TensorInfo;
    const key = keyOf(attrs);
    const size = tf.util.sizeFromShape(x.shape);
    const ahead = handoff?.key.k0 === key.k0 && handoff.key.k1 === key.k1 && handoff.values?.length === size ? handoff.values : null;
    const mem = memory(backend);
    const out = mem.alloc(x.shape);
    noisyReluInto(mem.view(x), mem.view(out), attrs?.sigma as number, key, ahead);
    return out;
  };
}

function randomSlopeReluKernel(memory: (backend: unknown) => HostMemory): tf.KernelFunc {
  return ({ inputs, backend, attrs }: KernelArgs) => {
    const x = inputs.x as tf.TensorInfo;
    const mem = memory(backend);
    const y = mem.alloc(x.shape);
    const slope = mem.alloc(x.shape);
    randomSlopeReluInto(mem.view(x), mem.view(y), mem.view(slope), attrs?.lower as number, attrs?.upper as number, keyOf(attrs));
    return [y, slope];
  };
}

function registerNoiseKernels(): void {
  const memories: [string, (backend: unknown) => HostMemory][] = [['cpu', cpuMemory], ['wasm', wasmMemory]];
  for (const [backendName, memory] of memories) {
    if (tf.getKernel(NOISY_RELU_KERNEL, backendName) == null) {
      tf.registerKernel({ kernelName: NOISY_RELU_KERNEL, backendName, kernelFunc: noisyReluKernel(memory) });
    }
    if (tf.getKernel(RANDOM_SLOPE_RELU_KERNEL, backendName) == null) {
      tf.registerKernel({ kernelName: RANDOM_SLOPE_RELU_KERNEL, backendName, kernelFunc: randomSlopeReluKernel(memory) });
    }
  }
  // The noise does not depend on x, so N-ReLU's gradient is ReLU's: dy * 1[x > 0].
  if (tf.getGradient(NOISY_RELU_KERNEL) == null) {
    tf.registerGradient({
      kernelName: NOISY_RELU_KERNEL,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, tf.step(saved[0])) }),
    });
  }
}
registerNoiseKernels();
