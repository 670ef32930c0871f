import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { trainRun, type EpochResult } from '../../src/train/trainer.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { valueAt } from '../../src/train/schedule.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { runSpec, syntheticDataset } from '../helpers/synthetic.js';
import { resultOf } from '../../src/metrics/record.js';
import { unitProbe } from '../../src/metrics/unit-probe.js';

const withoutTiming = (e: EpochResult[]) => e.map(({ epochSeconds: _a, samplesPerSecond: _b, ...rest }) => rest);

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] learns, is reproducible from its seed, and leaks no tensors across epochs`, async () => {
    await useBackend(backend);
    const data = toDeviceData(syntheticDataset());
    const spec = runSpec({
      activation: { name: 'nrelu', params: {} },
      varied: { param: 'sigma', schedule: 'constant', start: 0.1, end: 0.1 },
      train: { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.003 },
    });
    const counts: number[] = [];
    const a = await trainRun(spec, data, {
      onEpoch: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    assert.equal(a.status, 'completed');
    assert.equal(a.epochs.length, 3);
    assert.ok(
      counts.every((c) => c === counts[0]),
      `tensor count changed across epochs: ${counts.join(', ')}`,
    );
    const before = tf.memory().numTensors;
    const b = await trainRun(spec, data);
    assert.equal(tf.memory().numTensors, before, 'a finished run leaves no tensors behind');
    assert.deepEqual(withoutTiming(a.epochs), withoutTiming(b.epochs));
    assert.ok(a.epochs[2].testAcc > 0.5, `synthetic data should be learnable, got ${a.epochs[2].testAcc}`);
    assert.equal(resultOf(a.epochs[2], unitProbe)?.dead.units, 32);
    const c = await trainRun({ ...spec, seed: 2 }, data);
    assert.notDeepEqual(withoutTiming(a.epochs), withoutTiming(c.epochs));
    data.dispose();
  });
}

for (const backend of TEST_BACKENDS) {
  test(`[${backend}] a dataset kept on the host (batches uploaded one by one) trains exactly as one kept on the device`, async () => {
    await useBackend(backend);
    const dataset = syntheticDataset(300, 70);
    const spec = runSpec({
      activation: { name: 'nrelu', params: {} },
      varied: { param: 'sigma', schedule: 'constant', start: 0.1, end: 0.1 },
      deadNeurons: { probe: 'test', samples: 50, threshold: 0, every: 1, dormantTau: 0.1, gradientSamples: 40 },
      eval: { robustness: { gaussian: [0.3] } },
    });
    const [device, host] = [toDeviceData(dataset, {}, 'device'), toDeviceData(dataset, {}, 'host')];
    const a = await trainRun(spec, device);
    const before = tf.memory().numTensors;
    const b = await trainRun(spec, host);
    assert.equal(tf.memory().numTensors, before, 'host batches are freed');
    assert.deepEqual(withoutTiming(b.epochs), withoutTiming(a.epochs));
    assert.deepEqual(b.robustness, a.robustness);
    device.dispose();
  });
}

test('a huge learning rate diverges and is reported as such', async () => {
  await useBackend('cpu');
  const data = toDeviceData(syntheticDataset());
  const r = await trainRun(
    runSpec({ train: { epochs: 3, batchSize: 64, optimizer: 'sgd', learningRate: 1e30 } }),
    data,
    { readEvery: 1 },
  );
  assert.equal(r.status, 'diverged');
  assert.match(r.message ?? '', /loss became (NaN|Infinity)/);
  data.dispose();
});

test('a stop request ends the run after the current batch', async () => {
  await useBackend('cpu');
  const data = toDeviceData(syntheticDataset());
  let batches = 0;
  const r = await trainRun(runSpec(), data, {
    readEvery: 1,
    onBatch: () => {
      batches++;
    },
    shouldStop: () => batches >= 3,
  });
  assert.equal(r.status, 'interrupted');
  assert.equal(batches, 3);
  assert.equal(r.epochs.length, 0);
  data.dispose();
});

test('dead neurons are probed every N epochs and always on the last', async () => {
  await useBackend('cpu');
  const data = toDeviceData(syntheticDataset());
  const r = await trainRun(
    runSpec({
      train: { epochs: 3, batchSize: 128, optimizer: 'adam', learningRate: 0.001 },
      deadNeurons: { probe: 'test', samples: 100, threshold: 0, every: 2, dormantTau: 0.1, gradientSamples: 1000 },
    }),
    data,
  );
  assert.deepEqual(
    r.epochs.map((e) => e.probe !== null),
    [false, true, true],
  );
  data.dispose();
});

test('sigma schedules: constant, linear and cosine from start to end, logged per epoch', async () => {
  assert.equal(valueAt({ schedule: 'constant', start: 0.1, end: 0 }, 50, 100), 0.1);
  assert.equal(valueAt({ schedule: 'linear', start: 0.2, end: 0 }, 0, 101), 0.2);
  assert.ok(Math.abs(valueAt({ schedule: 'linear', start: 0.2, end: 0 }, 50, 101) - 0.1) < 1e-12);
  assert.equal(valueAt({ schedule: 'linear', start: 0.2, end: 0 }, 100, 101), 0);
  assert.ok(Math.abs(valueAt({ schedule: 'cosine', start: 0.2, end: 0 }, 50, 101) - 0.1) < 1e-12);
  assert.ok(
    valueAt({ schedule: 'cosine', start: 0.2, end: 0 }, 10, 101) >
      valueAt({ schedule: 'linear', start: 0.2, end: 0 }, 10, 101),
  );
  await useBackend('cpu');
  const data = toDeviceData(syntheticDataset());
  const r = await trainRun(
    runSpec({
      activation: { name: 'nrelu', params: {} },
      varied: { param: 'sigma', schedule: 'linear', start: 0.2, end: 0 },
    }),
    data,
  );
  const value = (e: EpochResult): number | undefined => e.varied?.value;
  assert.ok(Math.abs((value(r.epochs[0]) ?? -1) - 0.2 * (1 - 7 / 15)) < 1e-9, `epoch 1 sigma ${value(r.epochs[0])}`);
  assert.equal(value(r.epochs[1]), 0);
  assert.equal(r.epochs[1].varied?.param, 'sigma');
  data.dispose();
});

test('an exception inside an epoch propagates (the worker labels the run failed) and leaves no tensors behind', async () => {
  await useBackend('cpu');
  const data = toDeviceData(syntheticDataset());
  const before = tf.memory().numTensors;
  let batches = 0;
  await assert.rejects(
    trainRun(runSpec(), data, {
      readEvery: 1,
      onBatch: () => {
        if (++batches === 2) throw new Error('boom in batch 2');
      },
    }),
    /boom in batch 2/,
  );
  assert.equal(tf.memory().numTensors, before, "the epoch's loss and accuracy accumulators are disposed too");
  data.dispose();
});
