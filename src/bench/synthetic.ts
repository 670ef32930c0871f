/**
 * Synthetic data for benchmarks (no files, no network), MNIST-shaped unless asked otherwise: each
 * class is a fixed random prototype image, and each image its class's prototype plus seeded noise,
 * clipped to [0, 1]. Learnable, so activations and losses behave like a real run's.
 */
import { MNIST, type DataShape } from '../data/catalog.js';
import type { Dataset } from '../data/datasets.js';
import { Rng, deriveSeed } from '../rng/index.js';

export function syntheticDataset(
  trainCount: number,
  testCount: number,
  seed = 1,
  data: DataShape = { shape: MNIST.shape, classes: MNIST.classes },
): Dataset {
  const [h, w, c] = data.shape;
  const pixels = h * w * c;
  const rng = new Rng(deriveSeed(seed, 'synthetic'));
  const prototypes = Array.from({ length: data.classes }, () => rng.fillUniform(new Float32Array(pixels)));
  const noise = new Float32Array(pixels);
  const split = (count: number) => {
    const images = new Float32Array(count * pixels);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const y = rng.int(data.classes);
      labels[i] = y;
      rng.fillNormal(noise);
      const proto = prototypes[y];
      for (let j = 0; j < pixels; j++) images[i * pixels + j] = Math.min(1, Math.max(0, proto[j] + 0.3 * noise[j]));
    }
    return { images, labels, count };
  };
  return {
    name: 'synthetic',
    train: split(trainCount),
    test: split(testCount),
    shape: [h, w, c],
    classes: data.classes,
    source: { kind: 'package', location: 'generated (nrelu-bench bench)', files: [] },
  };
}
