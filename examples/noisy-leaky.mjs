// A stochastic activation of your own in a few lines: a "noisy leaky" ReLU, x if x > 0, else
// (alpha + sigma * eps) * x with eps ~ N(0, 1) per element per training pass; alpha * x in inference.
// Use it in a config with
//
//   activations: [relu, {module: ./noisy-leaky.mjs, sigma: [0.05, 0.1]}]
//
// `noisyElementwise` makes its descriptor and layer; `noise.normal()` draws this pass's N(0, 1) values from
// the layer's seeded counter-based stream (the one N-ReLU's noise comes from), so a run is reproducible from
// its seed and every backend gets the same noise. `elementwise(name, fn, {grad})` is the deterministic twin.
import { tf, noisyElementwise } from 'nrelu-bench';

export default noisyElementwise(
  'noisy_leaky',
  // relu(x) - slope * relu(-x), not tf.where(tf.greater(x, 0), ...): TF.js has no gradient through a comparison.
  (x, { alpha, sigma }, noise) =>
    tf.sub(tf.relu(x), tf.mul(tf.relu(tf.neg(x)), tf.add(alpha, tf.mul(sigma, noise.normal())))),
  {
    inference: (x, { alpha }) => tf.leakyRelu(x, alpha),
    summary: 'x if x > 0 else (alpha + sigma * N(0, 1)) * x in training; alpha * x in inference',
    params: {
      alpha: { type: 'number', default: 0.01, min: 0, doc: 'mean slope of the negative branch' },
      sigma: { type: 'number', default: 0.05, min: 0, sweep: true, doc: 'standard deviation of the slope noise' },
    },
  },
);
