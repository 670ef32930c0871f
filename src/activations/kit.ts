/**
 * The activation kit: one helper that turns an activation's pure function into its TF.js layer and its
 * descriptor, as PyTorch pairs `F.elu` with `nn.ELU`. An activation file writes the function
 * (`forward(x, params, {training, weights})`, with its gradient through `tf.customGrad` where TF.js's autodiff
 * is not the one wanted) and calls `elementwiseActivation({name, summary, className, params, forward})`; the
 * helper makes the layer class (parameters validated by param-validation.ts, kept in its config, registered for model.json)
 * and the descriptor whose `create` builds it. Learnable parameters (PReLU's alpha) come from `weights`.
 *
 * The stochastic activations (N-ReLU, RReLU) keep their own layers (nrelu.ts, rrelu.ts): their seeded streams,
 * step counters, schedules, fused kernels and worker prefetch live in those classes; their pure functions are
 * exported beside them like the others'.
 */
import { tf } from '../tf.js';
import { ConfigError } from '../errors.js';
import {
  type CallKwargs,
  ElementwiseLayer,
  type LayerArgs,
  type LayerShape,
  type LayerWeight,
  isTraining,
  singleTensor,
} from './elementwise-layer.js';
import { type ActivationDescriptor, type ActivationParams, type ParamDef, defineActivation } from './descriptor.js';
import { checkParam } from './param-validation.js';

/** What a forward pass is given besides x and the parameters. */
export interface ForwardContext {
  /** True only in a training-mode call (kernels that keep a derivative for the backward pass use it). */
  training: boolean;
  /** The layer's learnable weights, in `weights`' order (empty for none). */
  weights: tf.Tensor[];
}

/** A learnable weight of the layer, made at build time from the input shape. */
export interface WeightSpec {
  name: string;
  shape: number[];
  /** Constant initial value. */
  init: number;
}

export interface ElementwiseKit<P extends ActivationParams> {
  /** The descriptor's name (configs, run ids, CSVs). */
  name: string;
  summary: string;
  /** The descriptor's `title`: how reports name it as the baseline (`GELU`). */
  title?: string;
  /** Name in TF.js's serialization registry (model.json); must not be one of TF.js's own layers. */
  className: string;
  params: { readonly [K in keyof P]: ParamDef };
  /** A check between parameters (the descriptor's `check`; the layer's constructor runs it too). */
  check?(params: P): string | undefined;
  /** The pure function: y = f(x) for validated parameters. */
  forward(x: tf.Tensor, params: P, context: ForwardContext): tf.Tensor;
  /** Learnable weights for an input of `inputShape` (throws for a shape they cannot fit). */
  weights?(params: P, inputShape: (number | null)[], layer: string): WeightSpec[];
}

/** An element-wise activation layer made by the kit; its parameters are readable fields. */
export type KitLayer<P extends ActivationParams> = ElementwiseLayer & Readonly<P> & { readonly params: Readonly<P> };
export type KitLayerClass<P extends ActivationParams> = new (args?: LayerArgs & Partial<P>) => KitLayer<P>;

/** A descriptor made by the kit, carrying its layer class (`nn.ELU` beside `F.elu`). */
export type KitDescriptor<P extends ActivationParams> = ActivationDescriptor & { readonly layer: KitLayerClass<P> };

/** `given` validated against the kit's parameter definitions, defaults filled (a one-line ConfigError if not). */
export function validParams<P extends ActivationParams>(
  kit: Pick<ElementwiseKit<P>, 'name' | 'params' | 'check'>,
  given: Partial<P>,
): P {
  const params: ActivationParams = {};
  for (const [key, def] of Object.entries(kit.params) as [string, ParamDef][]) {
    params[key] = checkParam(kit.name, key, def, given[key]);
  }
  const problem = kit.check?.(params as P);
  if (problem !== undefined) throw new ConfigError(`activation "${kit.name}": ${problem}`);
  return params as P;
}

/** The layer class for `kit`, registered with TF.js's serialization under `kit.className`. */
export function activationLayer<P extends ActivationParams>(kit: ElementwiseKit<P>): KitLayerClass<P> {
  const keys = Object.keys(kit.params);
  class Layer extends ElementwiseLayer {
    static className = kit.className;
    readonly params: Readonly<P>;
    private learned: LayerWeight[] = [];

    constructor(args: LayerArgs & Partial<P> = {}) {
      const layerArgs: Record<string, unknown> = { ...args };
      for (const key of keys) delete layerArgs[key];
      super(layerArgs as LayerArgs);
      this.params = validParams(kit, args as Partial<P>);
      // The parameters as fields too (`layer.alpha`), as PyTorch's modules have them; never over a Layer's own.
      for (const key of keys) {
        if (key in this) throw new Error(`${kit.className}: parameter "${key}" would hide the layer's own "${key}"`);
        Object.defineProperty(this, key, { value: this.params[key], enumerable: true });
      }
    }

    override build(inputShape: LayerShape): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
      this.learned = (kit.weights?.(this.params, shape, this.name) ?? []).map((w) =>
        this.addWeight(w.name, w.shape, 'float32', tf.initializers.constant({ value: w.init }), undefined, true),
      );
      this.built = true;
    }

    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: CallKwargs): tf.Tensor {
      const x = singleTensor(inputs, kit.className);
      if (this.learned.length === 0 && kit.weights) throw new Error(`${this.name}: call() before build()`);
      return kit.forward(x, this.params, { training: isTraining(kwargs), weights: this.learned.map((w) => w.read()) });
    }

    override getConfig(): tf.serialization.ConfigDict {
      return { ...super.getConfig(), ...this.params };
    }
  }
  tf.serialization.registerClass(Layer);
  return Layer as unknown as KitLayerClass<P>;
}

/** The layer class and the descriptor of an element-wise activation, from its pure function. */
export function elementwiseActivation<P extends ActivationParams>(kit: ElementwiseKit<P>): KitDescriptor<P> {
  const layer = activationLayer(kit);
  return defineActivation({
    name: kit.name,
    summary: kit.summary,
    ...(kit.title ? { title: kit.title } : {}),
    params: kit.params,
    stochastic: false,
    ...(kit.check ? { check: (params: ActivationParams) => kit.check?.(params as P) } : {}),
    create: (params, { name }) => new layer({ name, ...(params as Partial<P>) }),
    layer,
  });
}
