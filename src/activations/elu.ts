/**
 * ELU (Clevert, Unterthiner & Hochreiter 2016) for any alpha > 0; TF.js's ELU layer refuses alpha != 1, so the
 * function and its gradient are written here; not in the paper's grids.
 *   formula:  x if x > 0 else alpha * (exp(x) - 1)
 *   gradient: 1 if x > 0 else alpha * exp(x) (alpha at x = 0, as PyTorch's elu_backward)
 *   defaults: alpha 1
 *   PyTorch:  torch.nn.ELU(alpha=1.0) / F.elu
 */
import { tf } from '../tf.js';
import { elementwiseActivation } from './kit.js';

/** alpha * exp(x) where x <= 0, 1 elsewhere: d elu / dx. exp of min(x, 0), so a large x cannot overflow to Inf. */
export function eluGradient(x: tf.Tensor, alpha: number): tf.Tensor {
  return tf.tidy(() => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.mul(tf.exp(tf.minimum(x, 0)), alpha)));
}

/** x if x > 0 else alpha * (exp(x) - 1), with the gradient eluGradient(x, alpha). */
export function eluForward(x: tf.Tensor, alpha: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([input]);
    const negative = tf.mul(tf.sub(tf.exp(tf.minimum(input, 0)), 1), alpha);
    return {
      value: tf.where(tf.greater(input, 0), input, negative),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, eluGradient(saved[0], alpha)),
    };
  });
  return op(x);
}

export const elu = elementwiseActivation<{ alpha: number }>({
  name: 'elu',
  summary: 'x if x > 0 else alpha * (exp(x) - 1)',
  title: 'ELU',
  // Not 'ELU': that name is TF.js's own layer (alpha 1 only) in the serialization registry.
  className: 'TorchELU',
  params: { alpha: { type: 'number', default: 1, doc: 'scale of the negative branch, > 0 (PyTorch default 1)' } },
  check: ({ alpha }) => (alpha > 0 ? undefined : `parameter "alpha" must be > 0, got ${alpha}`),
  forward: (x, { alpha }) => eluForward(x, alpha),
});
