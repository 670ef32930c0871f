/**
 * Per-layer seeded noise for the stochastic activations. Forward pass number `step` of a layer
 * with seed `seed` draws from `new Rng(deriveSeed(seed, step))`, so the noise of any pass is a
 * pure function of (seed, step): same seed + same number of calls = bit-identical noise, and a
 * resumed run only has to restore the step counter. Noise is generated in JS (xoshiro128**),
 * never with tf.random*, so it is identical on every backend.
 *
 * The returned arrays are reused by later calls of the same size. The cpu backend wraps an array
 * in a tensor without copying it, so a tensor made from one must be disposed before the layer's
 * next forward pass (the layers do this inside their customGrad forward functions).
 */
import { Rng, deriveSeed } from '../train/rng.js';
import { UserError } from '../errors.js';

/** Buffers kept per layer: typically the full batch and the last, smaller batch of an epoch. */
const MAX_BUFFERS = 4;

export class SeededNoise {
  readonly seed: number;
  private step = 0;
  private readonly buffers = new Map<number, Float32Array>();

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

  /** N(0, 1) noise of `size` elements for the next step. */
  normal(size: number): Float32Array {
    return this.rng().fillNormal(this.buffer(size));
  }

  /** U(low, high) noise of `size` elements for the next step. */
  uniform(size: number, low: number, high: number): Float32Array {
    return this.rng().fillUniform(this.buffer(size), low, high);
  }

  private rng(): Rng {
    return new Rng(deriveSeed(this.seed, this.step++));
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
