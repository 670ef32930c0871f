/**
 * The one TF.js instance the library uses. Everything imports `tf` from here (never from
 * '@tensorflow/tfjs' directly) so that the backend chosen by `selectBackend` and the custom
 * kernels registered for it apply everywhere; `src/index.ts` re-exports it for callers.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
