/**
 * MNIST-shaped synthetic data for benchmarks (no files, no network): each of 10 classes is a
 * fixed random 28x28 prototype, and each image its class's prototype plus seeded noise, clipped
 * to [0, 1]. Learnable, so activations and losses behave like a real run's.
 */
import type { Dataset } from '../data/datasets.js';
import { Rng, deriveSeed } from '../rng/index.js';

const PIXELS = 784;
const CLASSES = 10;

export function syntheticDataset(trainCount: number, testCount: number, seed = 1): Dataset {
  const rng = new Rng(deriveSeed(seed, 'synthetic'));
  const prototypes = Array.from({ length: CLASSES }, () => rng.fillUniform(new Float32Array(PIXELS)));
  const noise = new Float32Array(PIXELS);
  const split = (count: number) => {
    const images = new Float32Array(count * PIXELS);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const c = rng.int(CLASSES);
      labels[i] = c;
      rng.fillNormal(noise);
      const proto = prototypes[c];
      for (let j = 0; j < PIXELS; j++) images[i * PIXELS + j] = Math.min(1, Math.max(0, proto[j] + 0.3 * noise[j]));
    }
    return { images, labels, count };
  };
  return {
    name: 'synthetic',
    train: split(trainCount),
    test: split(testCount),
    shape: [28, 28, 1],
    classes: CLASSES,
    source: { kind: 'package', location: 'generated (nrelu-bench bench)', files: [] },
  };
}
