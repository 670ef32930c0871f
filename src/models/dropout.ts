/**
 * Dropout with a seeded mask that changes every training step. TF.js's own Dropout layer, given
 * a seed, draws the same mask on every call, so a seeded run would drop the same units forever;
 * this layer mixes a step counter into its seed instead: mask n of a layer with seed s comes from the
 * sequential generator seeded with deriveSeed(s, 'dropout', n). It implements StochasticLayer, so the
 * unit probe restores its counter after a training-mode pass.
 */
import { tf } from '../tf.js';
import { Rng, deriveSeed } from '../rng/index.js';
import type { StochasticLayer } from '../activations/stochastic.js';
import { DROPOUT_MASK_KERNEL } from '../backend/noise-contract.js';

export interface SeededDropoutArgs {
  rate: number;
  seed?: number;
  name?: string;
}

export class SeededDropout extends tf.layers.Layer implements StochasticLayer {
  static className = 'NreluBenchSeededDropout';
  readonly stochastic = true as const;
  readonly rate: number;
  readonly seed: number;
  private step = 0;
  private buffer = new Float32Array(0);

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed ?? 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    const seed = deriveSeed(this.seed, 'dropout', this.step++);
    if (tf.getKernel(DROPOUT_MASK_KERNEL, tf.getBackend()) != null) {
      // The same mask drawn on the device (WebGPU): nothing drawn here, nothing uploaded.
      return tf.tidy(() => {
        const mask = tf.engine().runKernel(DROPOUT_MASK_KERNEL, {}, { seed, rate: this.rate, shape: x.shape });
        return tf.mul(x, mask as tf.Tensor);
      });
    }
    return tf.tidy(() => {
      if (this.buffer.length !== x.size) this.buffer = new Float32Array(x.size);
      const rng = new Rng(seed);
      const keep = 1 - this.rate;
      const scale = 1 / keep;
      const mask = this.buffer;
      for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? scale : 0;
      return tf.mul(x, tf.tensor(mask, x.shape));
    });
  }

  /** Training-mode passes so far (StochasticLayer). */
  getStep(): number {
    return this.step;
  }

  setStep(step: number): void {
    this.step = step;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
