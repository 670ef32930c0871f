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

/** Test samples by range (train/device-data.ts's DeviceSplit). */
export interface SampleSource {
  count: number;
  shape: number[];
  slice(start: number, size: number): { x: tf.Tensor; y: tf.Tensor1D };
  range(): Promise<[number, number]>;
}

export async function evaluateUnderNoise(
  model: tf.LayersModel,
  samples: SampleSource,
  levels: number[],
  seed: number,
  batchSize = 1000,
): Promise<RobustnessResult[]> {
  if (levels.length === 0) return [];
  const [lo, hi] = await samples.range();
  const n = samples.count;
  const perSample = samples.shape.reduce((a, b) => a * b, 1);
  const buffer = new Float32Array(batchSize * perSample);
  const results: RobustnessResult[] = [];
  for (const level of levels) {
    let correct: tf.Tensor = tf.scalar(0);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const noise = new Rng(deriveSeed(seed, 'robustness', level, start)).fillNormal(
        buffer.subarray(0, size * perSample),
      );
      const next = tf.tidy(() => {
        const { x: batch, y } = samples.slice(start, size);
        const noisy = tf.clipByValue(tf.add(batch, tf.mul(tf.tensor(noise, batch.shape), level)), lo, hi);
        const logits = model.predict(noisy) as tf.Tensor;
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
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
