/**
 * The generic noise path (what the native and GPU backends run) against the fused cpu kernels: a
 * whole trainRun gives the same numbers bit for bit, and leaves no tensors behind. CI's stand-in
 * for the backends it has no machine for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { useNoiseKernels } from '../../src/activations/noise-kernels.js';
import { trainRun, type EpochResult, type RunResult } from '../../src/train/trainer.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { useBackend } from '../helpers/backends.js';
import { runSpec, syntheticDataset } from '../helpers/synthetic.js';
import type { RunSpec } from '../../src/config/types.js';

const numbers = (r: RunResult): unknown => ({
  status: r.status,
  robustness: r.robustness,
  epochs: r.epochs.map(({ epochSeconds: _a, samplesPerSecond: _b, ...rest }: EpochResult) => rest),
});

const CASES: [string, Partial<RunSpec>, number][] = [
  [
    'mlp nrelu',
    {
      activation: { name: 'nrelu', params: {} },
      varied: { param: 'sigma', schedule: 'linear', start: 0.2, end: 0.05 },
    },
    256,
  ],
  ['mlp rrelu', { activation: { name: 'rrelu', params: {} } }, 256],
  [
    'cnn nrelu',
    {
      model: 'cnn',
      modelOptions: { filters: [4], dense: [16] },
      activation: { name: 'nrelu', params: {} },
      varied: { param: 'sigma', schedule: 'constant', start: 0.1, end: 0.1 },
    },
    64,
  ],
];

for (const [name, overrides, samples] of CASES) {
  test(`[cpu] ${name}: trainRun with the fused kernels off equals the fused run bit for bit, without leaks`, async () => {
    await useBackend('cpu');
    const data = toDeviceData(syntheticDataset(samples, 64));
    const spec = runSpec({
      ...overrides,
      train: { epochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 0.003 },
      eval: { robustness: { gaussian: [0.2] } },
    });
    const before = tf.memory().numTensors;
    const fused = await trainRun(spec, data);
    assert.equal(tf.memory().numTensors, before, 'fused: no tensor left behind');
    const was = useNoiseKernels(false);
    let generic: RunResult;
    try {
      generic = await trainRun(spec, data);
    } finally {
      useNoiseKernels(was);
    }
    assert.equal(tf.memory().numTensors, before, 'generic: no tensor left behind');
    assert.equal(fused.status, 'completed');
    assert.deepEqual(numbers(generic), numbers(fused));
    data.dispose();
  });
}
