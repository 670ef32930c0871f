/**
 * The base class of the stochastic activation layers, `NoisyLayer` (N-ReLU, RReLU, a user's
 * `noisyElementwise`), and its seeded noise stream, `SeededNoise` (the fused kernels that apply it are
 * in noise-kernels.ts, drawing ahead on a worker in noise-prefetch.ts).
 *
 * Noise is counter-based (src/rng/counter.ts): in training pass `step` of a layer with seed
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
 * - on WebGPU, a WGSL kernel draws the stream on the GPU (src/backend/webgpu-noise.ts): no
 *   noise crosses from the host and no worker draws ahead.
 * `useNoiseKernels` and `useNoisePrefetch` turn the kernels and the worker off (for tests and
 * benchmarks of the other paths).
 */
import { type StreamKey, fillCounterNormal, fillCounterUniform, streamKey } from '../rng/index.js';
import { MAX_PREFETCH, MIN_PREFETCH, Prefetch, noiseWorker, prefetchOn } from './noise-prefetch.js';
import { UsageError } from '../errors.js';
import { type NormalDraw, drawsOnDevice } from './noise-kernels.js';

export type { NormalDraw };
import { ElementwiseLayer, type LayerArgs } from './elementwise-layer.js';
import type { StochasticLayer } from './stochastic.js';

/** Generic-path buffers kept per layer: typically the full batch and the last, smaller batch of an epoch. */
const MAX_BUFFERS = 4;

export class SeededNoise {
  readonly seed: number;
  private step = 0;
  private readonly buffers = new Map<number, Float32Array>();
  private ahead: Prefetch | null = null;
  private lastSize = -1;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new UsageError(`noise seed must be an integer, got ${seed}`);
    this.seed = seed >>> 0;
  }

  /** Number of training-mode forward passes drawn so far. */
  getStep(): number {
    return this.step;
  }

  /** Restores the counter (the unit probes put it back after their training-mode pass). */
  setStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new UsageError(`noise step must be an integer >= 0, got ${step}`);
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
    if (
      !prefetchOn() ||
      drawsOnDevice() ||
      !steady ||
      size < MIN_PREFETCH ||
      size > MAX_PREFETCH ||
      noiseWorker() == null
    )
      return;
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

/**
 * Base of the stochastic activations: an element-wise layer with its own seeded noise stream.
 * Training pass n of a layer with seed s draws from streamKey(s, n); the step counter is state,
 * not config, so a resumed run (or a probe that must not disturb training) restores it with setStep.
 */
export abstract class NoisyLayer extends ElementwiseLayer implements StochasticLayer {
  readonly stochastic = true as const;
  protected readonly noise: SeededNoise;

  constructor(args: LayerArgs & { seed?: number }) {
    super(args);
    this.noise = new SeededNoise(args?.seed ?? 0);
  }

  /** Layer seed (unsigned 32-bit). */
  get seed(): number {
    return this.noise.seed;
  }

  /** Training-mode forward passes so far. */
  getStep(): number {
    return this.noise.getStep();
  }

  setStep(step: number): void {
    this.noise.setStep(step);
  }
}
