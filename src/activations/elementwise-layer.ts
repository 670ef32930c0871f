/**
 * The base of the element-wise activation layers (`ElementwiseLayer`, whose output shape is its input
 * shape) and their plumbing: the types tfjs-layers does not re-export under `tf`, the single-tensor and
 * training-flag helpers.
 */
import { tf } from '../tf.js';

/** Constructor arguments every layer accepts (name, trainable, dtype, inputShape, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
/** The shape type of `computeOutputShape` (`(number | null)[]` or a list of them). */
export type LayerShape = Parameters<tf.layers.Layer['computeOutputShape']>[0];
/** Keyword arguments of `Layer.call` (`training`, `mask`, ...). */
export type CallKwargs = Record<string, unknown>;
/** A variable created by `Layer.addWeight`. */
export type LayerWeight = tf.LayerVariable;

/** The one tensor of a layer's inputs; these layers are single-input. */
export function singleTensor(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (!Array.isArray(inputs)) return inputs;
  if (inputs.length !== 1) throw new Error(`${layer} expects exactly one input tensor, got ${inputs.length}`);
  return inputs[0];
}

/** Stochastic mode only when the caller says so, like tfjs-layers' noise layers; default is inference. */
export function isTraining(kwargs: CallKwargs | undefined): boolean {
  return kwargs?.training === true;
}

/** Element-wise layers: output shape equals input shape; masks pass through. */
export abstract class ElementwiseLayer extends tf.layers.Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }
}
