/**
 * The tests' small learnable dataset (no files, no network): the benchmarks' synthetic MNIST-shaped data
 * (src/bench/synthetic.ts: a fixed random 28x28 prototype per class plus seeded noise), 512 + 128 images
 * by default.
 */
import { syntheticDataset as benchDataset } from '../../src/bench/synthetic.js';
import type { Dataset } from '../../src/data/datasets.js';
import type { RunSpec } from '../../src/config/types.js';
import { Rng } from '../../src/rng/index.js';
import type { Tensor, tf as TfNamespace } from '../../src/tf.js';

type TfModule = typeof TfNamespace;

export function syntheticDataset(trainCount = 512, testCount = 128, seed = 1): Dataset {
  return benchDataset(trainCount, testCount, seed);
}

export function runSpec(overrides: Partial<RunSpec> = {}): RunSpec {
  return {
    id: 'mlp-relu-seed1',
    setting: 'relu',
    model: 'mlp',
    modelOptions: { hidden: [32] },
    activation: { name: 'relu', params: {} },
    varied: null,
    seed: 1,
    dataset: 'synthetic',
    init: 'torch',
    train: { epochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 0.001 },
    deadNeurons: { probe: 'train', samples: 256, threshold: 0, every: 1, dormantTau: 0.1, gradientSamples: 256 },
    eval: { robustness: { gaussian: [] } },
    hash: 'test',
    ...overrides,
  };
}

/** `n` MNIST-shaped images of N(0, 1) pixels from Rng(seed), one-hot labels i % 10: a training step's batch. */
export function normalBatch(tf: TfModule, seed: number, n = 16): { xs: Tensor; ys: Tensor } {
  const rng = new Rng(seed);
  const xs = tf.tensor4d(
    Float32Array.from({ length: n * 784 }, () => rng.normal()),
    [n, 28, 28, 1],
  );
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  return { xs, ys };
}
