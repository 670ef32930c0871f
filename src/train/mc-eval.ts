/**
 * Monte-Carlo evaluation: the softmax averaged over K training-mode passes (the noise of N-ReLU, RReLU's
 * random slopes and dropout on), against the usual inference-mode evaluation. If a stochastic activation's
 * accuracy gap comes from the mismatch between training mode (noise) and inference (none), averaging over
 * the noise closes it; if the features are worse, it does not.
 *
 * Deterministic for a saved model: before each pass over each batch, every stochastic layer's step counter
 * is set to MC_STEP_BASE + pass * batches + batch, so no two (pass, batch) share a noise draw and a rerun
 * draws the same ones; the counters are restored afterwards.
 */
import { tf } from '../tf.js';
import { isStochasticLayer } from '../activations/stochastic.js';
import type { DeviceSplit } from './device-data.js';

/** Far beyond any training step (8 epochs x 469 batches is 3,752), so MC passes never replay a training draw. */
export const MC_STEP_BASE = 2 ** 30;

export interface McResult {
  /** Accuracy of the argmax of the averaged softmax. */
  acc: number;
  /** Mean negative log-likelihood of the averaged softmax (clipped at 1e-12 before the log). */
  loss: number;
}

/** Averages the softmax of `passes` training-mode passes over `split`, batch by batch. */
export async function evaluateMonteCarlo(
  model: tf.LayersModel,
  split: DeviceSplit,
  classes: number,
  passes: number,
  batchSize = 1000,
): Promise<McResult> {
  if (!Number.isInteger(passes) || passes < 1)
    throw new Error(`Monte-Carlo passes must be a positive integer, got ${passes}`);
  const stochastic = model.layers.filter(isStochasticLayer);
  const saved = stochastic.map((l) => l.getStep());
  const batches = Math.ceil(split.count / batchSize);
  let nll = 0;
  let hits = 0;
  try {
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const size = Math.min(batchSize, split.count - start);
      const { x, y } = split.slice(start, size);
      let probs: tf.Tensor = tf.zeros([size, classes]);
      for (let k = 0; k < passes; k++) {
        for (const l of stochastic) l.setStep(MC_STEP_BASE + k * batches + b);
        const next = tf.tidy(() => tf.add(probs, tf.softmax(model.apply(x, { training: true }) as tf.Tensor2D)));
        probs.dispose();
        probs = next;
      }
      const [batchNll, batchHits] = tf.tidy(() => {
        const mean = tf.div(probs, passes);
        const picked = tf.sum(tf.mul(mean, tf.oneHot(y, classes)), 1);
        return [
          tf.neg(tf.sum(tf.log(tf.maximum(picked, 1e-12)))),
          tf.sum(tf.cast(tf.equal(tf.argMax(mean, 1), y), 'float32')),
        ];
      });
      nll += (await batchNll.data())[0];
      hits += (await batchHits.data())[0];
      tf.dispose([x, y, probs, batchNll, batchHits]);
    }
  } finally {
    stochastic.forEach((l, i) => l.setStep(saved[i]));
  }
  return { acc: hits / split.count, loss: nll / split.count };
}
