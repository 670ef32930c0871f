/**
 * A finite-difference check of an element-wise activation's gradient: for a user's module, which has no PyTorch
 * reference (the built-ins' test, test/activations/reference.test.ts), the gradient TF.js computes (autodiff, or the
 * module's own `grad`) is compared with the central difference (f(x + h) - f(x - h)) / 2h at points away from 0, in
 * inference and in training mode; a stochastic layer's step counter is put back before each pass, so every pass sees
 * the same noise.
 */
import { tf } from '../tf.js';
import { createActivation, type ActivationSpec } from './registry.js';
import type { ActivationDescriptor } from './descriptor.js';
import { normalizeParams } from './param-validation.js';
import { isStochasticLayer } from './stochastic.js';

export interface GradientCheckOptions {
  /** For a descriptor: its parameters (defaults filled, as in a config). */
  params?: Record<string, unknown>;
  /** Where to compare (default 12 points in [-3, 3], none within 0.15 of a kink at 0). */
  x?: number[];
  /** Step of the central difference (default 1e-3). */
  h?: number;
  /** Allowed |gradient - difference|: atol + rtol * |difference| (default 2e-3 each). */
  atol?: number;
  rtol?: number;
}

const POINTS = [-3, -2, -1.3, -0.7, -0.3, -0.15, 0.15, 0.3, 0.7, 1.3, 2, 3];

/** The layer's outputs at `x` (float32), the stochastic stream put back to `step` first. */
function outputs(layer: tf.layers.Layer, x: Float32Array, training: boolean, step: number): Float32Array {
  if (isStochasticLayer(layer)) layer.setStep(step);
  return tf.tidy(() => (layer.apply(tf.tensor1d(x), { training }) as tf.Tensor).dataSync() as Float32Array);
}

function gradient(layer: tf.layers.Layer, x: Float32Array, training: boolean, step: number): Float32Array {
  if (isStochasticLayer(layer)) layer.setStep(step);
  return tf.tidy(
    () =>
      tf
        .grad((z: tf.Tensor) => tf.sum(layer.apply(z, { training }) as tf.Tensor))(tf.tensor1d(x))
        .dataSync() as Float32Array,
  );
}

function layerOf(activation: ActivationSpec | ActivationDescriptor | tf.layers.Layer, params = {}): tf.layers.Layer {
  if (activation instanceof tf.layers.Layer) return activation;
  if (typeof activation === 'object' && 'create' in activation && typeof activation.create === 'function') {
    const d = activation as ActivationDescriptor;
    return d.create(normalizeParams(d, params), { seed: 1, name: d.name });
  }
  return createActivation(activation as ActivationSpec, { seed: 1 });
}

/**
 * The points where `activation`'s gradient disagrees with the finite difference, one line each (empty: it agrees).
 * `activation`: a module's descriptor (its default export; `options.params` its parameters), a registered
 * activation's spec (`{name: 'noisy_leaky', sigma: 0.1}`) or a layer.
 */
export function gradientCheck(
  activation: ActivationSpec | ActivationDescriptor | tf.layers.Layer,
  options: GradientCheckOptions = {},
): string[] {
  const layer = layerOf(activation, options.params);
  const h = options.h ?? 1e-3;
  const [atol, rtol] = [options.atol ?? 2e-3, options.rtol ?? 2e-3];
  const x = Float32Array.from(options.x ?? POINTS);
  const [plus, minus] = [x.map((v) => v + h), x.map((v) => v - h)];
  const problems: string[] = [];
  for (const training of [false, true]) {
    const step = isStochasticLayer(layer) ? layer.getStep() : 0;
    const g = gradient(layer, x, training, step);
    const [up, down] = [outputs(layer, plus, training, step), outputs(layer, minus, training, step)];
    if (isStochasticLayer(layer)) layer.setStep(step + 1);
    x.forEach((v, i) => {
      const fd = (up[i] - down[i]) / (plus[i] - minus[i]);
      if (!(Math.abs(g[i] - fd) <= atol + rtol * Math.abs(fd))) {
        const mode = training ? 'training' : 'inference';
        problems.push(`${layer.name} (${mode}) at x = ${v}: gradient ${g[i]}, finite difference ${fd}`);
      }
    });
  }
  return problems;
}
