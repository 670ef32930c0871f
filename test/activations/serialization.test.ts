import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { NReLU, createActivation, type ActivationSpec } from '../../src/activations/registry.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { bitIdentical } from './helpers.js';

const SPECS: ActivationSpec[] = [
  'relu',
  { name: 'leaky_relu', alpha: 0.05 },
  { name: 'prelu', shared: false, init: 0.1 },
  { name: 'gelu', approximate: 'tanh' },
  { name: 'rrelu', lower: 0.2, upper: 0.3 },
  { name: 'nrelu', sigma: 0.25 },
];

/** Dense layers interleaved with every activation; seeds make the model reproducible. */
function buildModel(): tf.Sequential {
  const model = tf.sequential();
  SPECS.forEach((spec, i) => {
    model.add(
      tf.layers.dense({
        units: 6,
        inputShape: i === 0 ? [5] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: i }),
        name: `dense${i}`,
      }),
    );
    model.add(createActivation(spec, { seed: 100 + i, name: `act${i}` }));
  });
  return model;
}

async function roundTrip(model: tf.LayersModel): Promise<{ artifacts: tf.io.ModelArtifacts; loaded: tf.LayersModel }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(artifacts);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { artifacts, loaded };
}

// undefined and null are the same thing to the JSON format (TF.js's ReLU has maxValue undefined -> null).
const layerConfigs = (model: tf.LayersModel): unknown =>
  JSON.parse(
    JSON.stringify(
      model.layers.map((l) => [l.getClassName(), l.getConfig()]),
      (_k, v: unknown) => v ?? null,
    ),
  );

for (const backend of TEST_BACKENDS) {
  describe(`serialisation on ${backend}`, () => {
    before(() => useBackend(backend));

    test('model.save -> tf.loadLayersModel keeps classes, configs, weights and outputs', async () => {
      const model = buildModel();
      const x = tf.randomNormal([12, 5], 0, 1, 'float32', 8);
      const { artifacts, loaded } = await roundTrip(model);
      assert.deepEqual(layerConfigs(loaded), layerConfigs(model));
      assert.deepEqual(
        loaded.layers.filter((_, i) => i % 2 === 1).map((l) => l.getClassName()),
        ['TorchReLU', 'TorchLeakyReLU', 'TorchPReLU', 'GELU', 'RReLU', 'NReLU'],
      );
      const cfg = (i: number): Record<string, unknown> => loaded.getLayer(`act${i}`).getConfig();
      assert.equal(cfg(1).alpha, 0.05);
      assert.deepEqual([cfg(2).shared, cfg(2).init], [false, 0.1]);
      assert.equal(cfg(3).approximate, 'tanh');
      assert.deepEqual([cfg(4).lower, cfg(4).upper, cfg(4).seed], [0.2, 0.3, 104]);
      assert.deepEqual([cfg(5).sigma, cfg(5).seed], [0.25, 105]);
      const weights = (m: tf.LayersModel): Float32Array[] => m.getWeights().map((w) => w.dataSync() as Float32Array);
      weights(loaded).forEach((w, i) => assert.ok(bitIdentical(w, weights(model)[i]), `weight ${i}`));
      // Inference, then the first training-mode pass (same seeds, same step) agree bit for bit.
      for (const training of [false, true]) {
        const [a, b] = tf.tidy(() =>
          [model, loaded].map((m) => (m.apply(x, { training }) as tf.Tensor).dataSync() as Float32Array),
        );
        assert.ok(bitIdentical(a, b), `training ${training}`);
      }
      const step = (m: tf.LayersModel): number => (m.getLayer('act5') as NReLU).getStep();
      assert.deepEqual([step(model), step(loaded)], [1, 1], 'the training pass reached the N-ReLU layers');
      // Saving the loaded model gives the same topology JSON.
      const again = await roundTrip(loaded);
      assert.deepEqual(again.artifacts.modelTopology, artifacts.modelTopology);
      x.dispose();
      for (const m of [model, loaded, again.loaded]) m.dispose();
    });
  });
}
