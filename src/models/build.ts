/**
 * buildModel: the MLP and CNN of the benchmark. Every hidden layer is a linear layer (Dense or
 * Conv2D, no built-in activation) followed by its own activation layer, so the dead-neuron probe
 * can read pre-activations. The output layer returns logits (softmax lives in the loss), as in
 * PyTorch's nn.CrossEntropyLoss.
 */
import { tf } from '../tf.js';
import { createActivation, type ActivationSpec } from '../activations/registry.js';
import { deriveSeed } from '../rng/index.js';
import { initializeWeights, type InitScheme } from './init.js';
import { SeededDropout } from './dropout.js';
import { lazyDense } from './lazy-dense.js';

export type { ModelKind } from './kinds.js';
import type { ModelKind } from './kinds.js';

export interface BuildModelOptions {
  model: ModelKind;
  activation: ActivationSpec;
  /** Seeds weight init, the activations' noise and dropout (default 0). */
  seed?: number;
  /** Weight initialisation (default 'torch', PyTorch's defaults). */
  init?: InitScheme;
  /** Input shape without the batch axis, [height, width, channels] (default MNIST's, [28, 28, 1]). */
  inputShape?: number[];
  /** Output width (default 10). */
  classes?: number;
  /** MLP: hidden layer widths (default [256, 128]). */
  hidden?: number[];
  /** CNN: filters of each 3x3 conv block, each followed by a 2x2 pool (default [32, 64]). */
  filters?: number[];
  /** CNN: the 2x2 pool of each conv block, max or average (default 'max'). */
  pool?: 'max' | 'avg';
  /**
   * CNN: conv -> pool -> activation instead of conv -> activation -> pool (default false). For ReLU with max-pool
   * the two orders give the same numbers bit for bit (ReLU is monotone); for N-ReLU the noise then enters after the
   * pool.
   */
  activationAfterPool?: boolean;
  /** CNN: conv kernel size (default 3). */
  kernelSize?: number;
  /** CNN: widths of the dense layers after flatten (default [128]). */
  dense?: number[];
  /** Dropout rate after each hidden dense activation (default 0: the paper does not say). */
  dropout?: number;
}

function positiveInts(value: number[], what: string): number[] {
  if (value.length === 0 || value.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${what} must be a non-empty list of positive integers, got [${value.join(', ')}]`);
  }
  return value;
}

type Apply = (layer: tf.layers.Layer) => void;

/** The numbered layers of one model, each named and seeded by its number: act_1, ..., dense_1, ..., dropout_<dense>. */
interface LayerMaker {
  activation(): tf.layers.Layer;
  dense(units: number): tf.layers.Layer;
  /** Per width: a dense layer, its activation, then seeded dropout when the rate is above 0. */
  hidden(widths: number[], apply: Apply): void;
}

function layerMaker(options: BuildModelOptions, seed: number): LayerMaker {
  const dropout = options.dropout ?? 0;
  let actIndex = 0;
  let denseIndex = 0;
  const activation = (): tf.layers.Layer => {
    actIndex += 1;
    return createActivation(options.activation, {
      seed: deriveSeed(seed, 'activation', actIndex),
      name: `act_${actIndex}`,
    });
  };
  const dense = (units: number): tf.layers.Layer =>
    // A Dense that skips the input gradient nobody uses (the first layer's); same values as tf.layers.dense.
    lazyDense({ units, name: `dense_${++denseIndex}`, kernelInitializer: 'zeros', biasInitializer: 'zeros' });
  const hidden = (widths: number[], apply: Apply): void => {
    for (const units of widths) {
      apply(dense(units));
      apply(activation());
      if (dropout > 0)
        apply(
          new SeededDropout({
            rate: dropout,
            seed: deriveSeed(seed, 'dropout', denseIndex),
            name: `dropout_${denseIndex}`,
          }),
        );
    }
  };
  return { activation, dense, hidden };
}

/** The CNN's conv blocks (conv, activation and 2x2 pool, in the order asked), then flatten. */
function convBlocks(options: BuildModelOptions, activation: () => tf.layers.Layer, apply: Apply): void {
  const filters = positiveInts(options.filters ?? [32, 64], 'filters');
  const kernelSize = options.kernelSize ?? 3;
  const pool = (i: number): tf.layers.Layer =>
    options.pool === 'avg'
      ? tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `pool_${i + 1}` })
      : tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool_${i + 1}` });
  filters.forEach((f, i) => {
    apply(
      tf.layers.conv2d({
        filters: f,
        kernelSize,
        padding: 'valid',
        name: `conv_${i + 1}`,
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      }),
    );
    if (options.activationAfterPool) {
      apply(pool(i));
      apply(activation());
    } else {
      apply(activation());
      apply(pool(i));
    }
  });
  apply(tf.layers.flatten({ name: 'flatten' }));
}

/**
 * The model of `options`, for inputs of `inputShape` and `classes` outputs: the trainer passes its
 * dataset's (train/setup.ts), so the first layer's width (MLP: H*W*C; CNN: C input channels) and the
 * output width follow from the data.
 */
export function buildModel(options: BuildModelOptions): tf.LayersModel {
  const seed = options.seed ?? 0;
  const layers = layerMaker(options, seed);
  const input = tf.input({ shape: options.inputShape ?? [28, 28, 1], name: 'input' });
  let x = input as tf.SymbolicTensor;
  const apply: Apply = (layer) => {
    x = layer.apply(x) as tf.SymbolicTensor;
  };
  if (options.model === 'cnn') {
    convBlocks(options, layers.activation, apply);
    layers.hidden(positiveInts(options.dense ?? [128], 'dense'), apply);
  } else if (options.model === 'mlp') {
    apply(tf.layers.flatten({ name: 'flatten' }));
    layers.hidden(positiveInts(options.hidden ?? [256, 128], 'hidden'), apply);
  } else {
    throw new Error(`unknown model '${String(options.model)}': expected mlp or cnn`);
  }
  apply(layers.dense(options.classes ?? 10));
  const model = tf.model({ inputs: input, outputs: x, name: `${options.model}` });
  initializeWeights(model, seed, options.init ?? 'torch');
  return model;
}
