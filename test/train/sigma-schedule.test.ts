/**
 * A sigma schedule reaches every N-ReLU layer at every training step, and the noise drawn there has
 * that sigma. (Deleting the trainer's setSigma call used to leave every test green.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NReLU } from '../../src/activations/nrelu.js';
import { trainRun } from '../../src/train/trainer.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { valueAt } from '../../src/train/schedule.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { runSpec, syntheticDataset } from '../helpers/synthetic.js';

interface Call {
  layer: string;
  rows: number;
  sigma: number;
  negatives: number;
  std: number;
  zeros: number;
}

/** Records every training-mode N-ReLU call: the layer's sigma and the spread of its output where x <= 0. */
function spy(calls: Call[]): () => void {
  const original = NReLU.prototype.call;
  NReLU.prototype.call = function (this: NReLU, inputs, kwargs) {
    const y = original.call(this, inputs, kwargs);
    if (kwargs?.training) {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs).dataSync();
      const out = y.dataSync();
      const noise: number[] = [];
      for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) noise.push(out[i]);
      const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
      const std = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / (noise.length - 1));
      calls.push({
        layer: this.name,
        rows: (Array.isArray(inputs) ? inputs[0] : inputs).shape[0],
        sigma: this.sigma,
        negatives: noise.length,
        std,
        zeros: noise.filter((v) => v === 0).length,
      });
    }
    return y;
  };
  return () => {
    NReLU.prototype.call = original;
  };
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] a linear sigma schedule sets every N-ReLU layer's sigma at every step, and the noise has that sigma`, async () => {
    await useBackend(backend);
    const data = toDeviceData(syntheticDataset(512, 128));
    const schedule = { schedule: 'linear' as const, start: 0.3, end: 0 };
    const spec = runSpec({
      modelOptions: { hidden: [64, 32] },
      activation: { name: 'nrelu', params: {} },
      varied: { param: 'sigma', ...schedule },
      train: { epochs: 2, batchSize: 64, optimizer: 'adam', learningRate: 0.001 },
      deadNeurons: { probe: 'train', samples: 100, threshold: 0, every: 1, dormantTau: 0.1, gradientSamples: 100 },
    });
    const calls: Call[] = [];
    const restore = spy(calls);
    try {
      await trainRun(spec, data);
    } finally {
      restore();
      data.dispose();
    }
    // Training steps are the calls on 64-row batches (the unit probe's training-mode pass has 100 rows).
    const steps = calls.filter((c) => c.rows === 64);
    const layers = [...new Set(steps.map((c) => c.layer))];
    assert.equal(layers.length, 2, 'two N-ReLU layers');
    const totalSteps = 2 * (512 / 64);
    assert.equal(steps.length, totalSteps * layers.length);
    for (let step = 0; step < totalSteps; step++) {
      const expected = valueAt(schedule, step, totalSteps);
      for (const c of steps.slice(step * layers.length, (step + 1) * layers.length)) {
        assert.ok(
          Math.abs(c.sigma - expected) < 1e-12,
          `step ${step} ${c.layer}: sigma ${c.sigma}, schedule says ${expected}`,
        );
        if (expected === 0) {
          assert.equal(c.zeros, c.negatives, `step ${step} ${c.layer}: sigma 0 is exactly ReLU`);
        } else {
          // The sample std of n >= 500 normals is within 5 standard errors (1/sqrt(2n) relative) of sigma.
          assert.ok(c.negatives >= 500, `${c.negatives} non-positive pre-activations`);
          const tol = 5 / Math.sqrt(2 * c.negatives);
          assert.ok(
            Math.abs(c.std / expected - 1) < tol,
            `step ${step} ${c.layer}: noise std ${c.std}, sigma ${expected} (tolerance ${tol})`,
          );
        }
      }
    }
  });
}
