/**
 * Drawing N-ReLU's normals ahead on a worker thread (Node.js), for SeededNoise (noisy-layer.ts).
 */
import { type StreamKey, computeZiggurat, createCounterSampler } from '../rng/index.js';

/*
 * One worker for the process, started on first use and
 * unref'd (it never keeps the process alive). Each layer has one shared buffer: the layer asks
 * for pass n+1 right after pass n has used the buffer, the worker fills it and flips a shared
 * flag, and pass n+1 takes it if the flag says done. It never waits: a worker that is late
 * (a busy machine) or gone costs nothing but the draw in place that would have happened
 * anyway, and the worker draws every element where the kernel draws only those that need it,
 * so waiting would often be slower. Anything that does not match (another size, a step set by
 * hand) also draws in place.
 */
export const PENDING = 1,
  DONE = 2,
  FAILED = 3;
/** Smaller passes are drawn in place: the round trip would cost about as much as the draw. */
export const MIN_PREFETCH = 8192;
/** Larger passes (e.g. a probe's 1024-sample batches) are drawn in place: 32 MiB per layer at most. */
export const MAX_PREFETCH = 1 << 23;

let prefetchEnabled = true;

/** Whether drawing ahead is on (see useNoisePrefetch). */
export function prefetchOn(): boolean {
  return prefetchEnabled;
}

/** Turns drawing ahead on a worker on or off. Returns the old setting. */
export function useNoisePrefetch(enabled: boolean): boolean {
  const previous = prefetchEnabled;
  prefetchEnabled = enabled;
  return previous;
}

/** Passes asked of the worker, and passes that used its draw (for tests and benchmarks). */
export const prefetchStats = { requested: 0, used: 0 };

type WorkerHandle = {
  postMessage(message: unknown): void;
  unref(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
};
let worker: WorkerHandle | null | undefined;

/** The worker's program: the generator's and its tables' own source, so it computes exactly this thread's values. */
function workerSource(): string {
  return `'use strict';
const { parentPort } = require('node:worker_threads');
// esbuild (tsx) wraps named functions in __name(...) when it compiles TypeScript; tsc does not.
const __name = (fn) => fn;
const sampler = (${createCounterSampler.toString()})((${computeZiggurat.toString()})());
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

export function noiseWorker(): WorkerHandle | null {
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
    const fail = (): void => {
      worker = null;
    };
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

export class Prefetch {
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
