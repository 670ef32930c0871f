// Your own activation, in one plain JavaScript file (no TypeScript, no build step): Swish,
// x * sigmoid(beta * x) (Ramachandran et al. 2017; beta 1 is SiLU). Use it in a config with
//
//   activations: [relu, {module: ./swish.mjs, beta: [1, 2]}]
//
// (the path is relative to the config file). The harness loads this module, validates `beta`
// from the descriptor below, sweeps it (one grid entry per value: runs mlp-swish-beta1-seed1, ...),
// and records the file's path and SHA-256 in manifest.json; editing the file retrains its runs.
// `tf` must be nrelu-bench's TF.js instance: import it from 'nrelu-bench', not '@tensorflow/tfjs'.
import { tf } from 'nrelu-bench';

class Swish extends tf.layers.Layer {
  static className = 'ExampleSwish';

  constructor({ name, beta }) {
    super({ name });
    this.beta = beta;
  }

  computeOutputShape(inputShape) {
    return inputShape;
  }

  // Deterministic, so `training` is ignored; TF.js's autodiff gives the gradient.
  call(inputs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, this.beta))));
  }

  getConfig() {
    return { ...super.getConfig(), beta: this.beta };
  }
}
tf.serialization.registerClass(Swish);

/** The descriptor: what the harness needs to validate, name, sweep and build the activation. */
export default {
  name: 'swish',
  summary: 'x * sigmoid(beta * x) (Swish; beta 1 is SiLU)',
  params: {
    // type number | boolean | choice; no default: required; sweep: a list of values sweeps it;
    // schedule: {start, end, schedule} anneals it (the layer then needs setScheduled(param, value)).
    beta: { type: 'number', default: 1, min: 0, sweep: true, doc: 'slope of the sigmoid' },
  },
  // true only for a layer that draws random numbers in training (it must then implement
  // StochasticLayer: stochastic = true, seed, getStep(), setStep(); see src/activations/stochastic.ts).
  stochastic: false,
  create: (params, { name }) => new Swish({ name, beta: params.beta }),
};
