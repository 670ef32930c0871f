/**
 * Robustness to input noise: test accuracy when additive Gaussian noise of standard deviation
 * `level` is added to every input (seeded, then clipped to the inputs' own range, so noisy images
 * stay valid images). Noise is drawn in JS from the seeded generator, batch by batch.
 */
import { tf } from '../tf.js';
import { Rng, deriveSeed } from '../rng/index.js';

export interface RobustnessResult {
  noise: number;
  testAcc: number;
}

export async function evaluateUnderNoise(
  model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor1D, levels: number[], seed: number, batchSize = 1000,
): Promise<RobustnessResult[]> {
  if (levels.length === 0) return [];
  const range = [tf.min(x), tf.max(x)];
  const [lo, hi] = (await Promise.all(range.map((t) => t.data()))).map((v) => v[0]);
  tf.dispose(range);
  const n = x.shape[0];
  const perSample = x.size / n;
  const buffer = new Float32Array(batchSize * perSample);
  const results: RobustnessResult[] = [];
  for (const level of levels) {
    let correct: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const noise = new Rng(deriveSeed(seed, 'robustness', level, start)).fillNormal(buffer.subarray(0, size * perSample));
      const next = tf.tidy(() => {
        const batch = tf.slice(x, start, size);
        const noisy = tf.clipByValue(tf.add(batch, tf.mul(tf.tensor(noise, batch.shape), level)), lo, hi);
        const logits = model.predict(noisy) as tf.Tensor;
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.slice(y, start, size)), 'float32'));
        return tf.add(correct, hits);
      });
      correct.dispose();
      correct = next;
    }
    const hits = (await correct.data())[0];
    correct.dispose();
    results.push({ noise: level, testAcc: hits / n });
  }
  return results;
}
