/**
 * A user's activation in one call (README, "Your own activation"): `elementwise` makes a deterministic activation's
 * descriptor from its function (the kit's `elementwiseActivation`, kit.ts, with a layer class name of its own), and
 * `noisyElementwise` a stochastic one whose function is handed the noise of the pass, drawn from the layer's
 * counter-based stream (rng/counter.ts) as N-ReLU's and RReLU's are: training pass n of a layer with seed s draws
 * from streamKey(s, n) (its k-th further draw in that pass from streamKey(s, n, k)), so a run is reproducible from its
 * seed, the probes can put the step counter back (`StochasticLayer`), and every backend gets the same noise (drawn
 * in JavaScript and uploaded).
 */
import { tf } from '../tf.js';
import { streamKey, fillCounterNormal, fillCounterUniform, type StreamKey } from '../rng/index.js';
import { type CallKwargs, type LayerArgs, isTraining, singleTensor } from './elementwise-layer.js';
import { type ActivationDescriptor, type ActivationParams, type ParamDef, defineActivation } from './descriptor.js';
import { type KitDescriptor, elementwiseActivation, validParams } from './kit.js';
import { NoisyLayer } from './noisy-layer.js';
import type { StochasticLayer } from './stochastic.js';

type ParamDefs = Readonly<Record<string, ParamDef>>;

export interface ElementwiseOptions<P extends ActivationParams> {
  /** dL/dx from x and dL/dy (default: TF.js's autodiff through `fn`). */
  grad?(x: tf.Tensor, dy: tf.Tensor, params: P): tf.Tensor;
  /** The parameters (as a descriptor's `params`; default none). */
  params?: ParamDefs;
  /** One line for `--help` (default: the name). */
  summary?: string;
  /** Name in TF.js's serialization registry (default `User` + the name in PascalCase). */
  className?: string;
}

const pascal = (name: string): string => name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** y = fn(x, params) as an activation: its descriptor (a module's default export), with its layer class. */
export function elementwise<P extends ActivationParams = ActivationParams>(
  name: string,
  fn: (x: tf.Tensor, params: P) => tf.Tensor,
  options: ElementwiseOptions<P> = {},
): KitDescriptor<P> {
  const { grad } = options;
  return elementwiseActivation<P>({
    name,
    summary: options.summary ?? name,
    className: options.className ?? `User${pascal(name)}`,
    params: (options.params ?? {}) as { readonly [K in keyof P]: ParamDef },
    forward: (x, params) => {
      if (!grad) return fn(x, params);
      const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const input = args[0] as tf.Tensor;
        (args[1] as tf.GradSaveFunc)([input]);
        return {
          value: fn(input, params),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grad(saved[0], dy, params),
        };
      });
      return op(x);
    },
  });
}

/** The noise of one training pass, shaped like x; each call is a new draw from the layer's stream. */
export interface PassNoise {
  /** N(0, 1) per element. */
  normal(): tf.Tensor;
  /** U[low, high) per element (default U[0, 1)). */
  uniform(low?: number, high?: number): tf.Tensor;
}

/** A descriptor made by `noisyElementwise`, carrying its layer class. */
export type NoisyDescriptor = ActivationDescriptor & {
  readonly layer: new (args?: LayerArgs & { seed?: number } & ActivationParams) => NoisyLayer;
};

export interface NoisyElementwiseOptions<P extends ActivationParams> {
  /** y in inference mode (no noise), e.g. the training output's expected value. */
  inference(x: tf.Tensor, params: P): tf.Tensor;
  params?: ParamDefs;
  summary?: string;
  className?: string;
}

/** The draws of one pass: the first from streamKey(seed, step), the k-th further one from streamKey(seed, step, k). */
function passNoise(seed: number, step: number, shape: number[]): PassNoise {
  let draws = 0;
  const size = shape.reduce((a, b) => a * b, 1);
  const key = (): StreamKey => (draws++ === 0 ? streamKey(seed, step) : streamKey(seed, step, draws - 1));
  return {
    normal: () => tf.tensor(fillCounterNormal(new Float32Array(size), key()), shape, 'float32'),
    uniform: (low = 0, high = 1) => tf.tensor(fillCounterUniform(new Float32Array(size), key(), low, high), shape),
  };
}

/**
 * A stochastic activation: y = fn(x, params, noise) in training, options.inference(x, params) otherwise. Every
 * training pass consumes one step of the layer's stream, whether or not `fn` draws.
 */
export function noisyElementwise<P extends ActivationParams = ActivationParams>(
  name: string,
  fn: (x: tf.Tensor, params: P, noise: PassNoise) => tf.Tensor,
  options: NoisyElementwiseOptions<P>,
): NoisyDescriptor {
  const params = (options.params ?? {}) as { readonly [K in keyof P]: ParamDef };
  const kit = { name, params };
  class Layer extends NoisyLayer implements StochasticLayer {
    static className = options.className ?? `User${pascal(name)}`;
    readonly params: Readonly<P>;

    constructor(args: LayerArgs & { seed?: number } & Partial<P> = {}) {
      const { seed, ...rest } = args;
      const layerArgs: Record<string, unknown> = { ...rest };
      for (const key of Object.keys(params)) delete layerArgs[key];
      super({ ...(layerArgs as LayerArgs), seed });
      this.params = validParams<P>(kit, args as Partial<P>);
    }

    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
      const x = singleTensor(inputs, Layer.className);
      if (!isTraining(kwargs)) return tf.tidy(() => options.inference(x, this.params));
      const step = this.noise.getStep();
      this.noise.skip();
      return tf.tidy(() => fn(x, this.params, passNoise(this.seed, step, x.shape)));
    }

    override getConfig(): tf.serialization.ConfigDict {
      return { ...super.getConfig(), ...this.params, seed: this.seed };
    }
  }
  tf.serialization.registerClass(Layer);
  return defineActivation({
    name,
    summary: options.summary ?? name,
    params,
    stochastic: true,
    create: (p, { seed, name: layerName }) => new Layer({ name: layerName, seed, ...(p as Partial<P>) }),
    layer: Layer as unknown as NoisyDescriptor['layer'],
  });
}
