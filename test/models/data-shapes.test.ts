/**
 * The models take their shape from the data: an idx:<folder> of 32x32x3 images in 100 classes (written here) loads
 * with the shape and class count its IDX headers and labels give, and the MLP and the CNN train on it through
 * trainRun, their input, first layer and output sized by it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/data/datasets.js';
import { trainRun } from '../../src/train/trainer.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { syntheticDataset as benchDataset } from '../../src/bench/synthetic.js';
import type { tf } from '../../src/tf.js';
import { useBackend } from '../helpers/backends.js';
import { runSpec } from '../helpers/synthetic.js';
import { makeIdx, removeTempDirs, tempDir, writeFiles } from '../data/fixtures.js';

after(removeTempDirs);

/** Four IDX files of `train` + `test` 32x32x3 images, class i % 100 each (prototype plus noise), in a temp folder. */
function writeRgbFolder(train: number, test: number): string {
  const ds = benchDataset(train, test, 4, { shape: [32, 32, 3], classes: 100 });
  const files: Record<string, Buffer> = {};
  for (const [prefix, split] of [
    ['train', ds.train],
    ['t10k', ds.test],
  ] as const) {
    const bytes = Uint8Array.from(split.images, (v) => Math.round(v * 255));
    files[`${prefix}-images-idx3-ubyte`] = makeIdx([split.count, 32, 32, 3], bytes);
    files[`${prefix}-labels-idx1-ubyte`] = makeIdx([split.count], split.labels);
  }
  const dir = tempDir();
  writeFiles(dir, files, true);
  return dir;
}

const kernelShapes = (model: tf.LayersModel): string[] =>
  model.layers.filter((l) => l.getWeights().length > 0).map((l) => `${l.name} ${l.getWeights()[0].shape.join('x')}`);

test('idx:<folder> of 32x32x3 images in 100 classes: the MLP and the CNN are sized by it and train on it', async () => {
  await useBackend('wasm');
  const ds = await loadDataset(`idx:${writeRgbFolder(1000, 200)}`);
  assert.deepEqual(ds.shape, [32, 32, 3]);
  assert.equal(ds.classes, 100);
  assert.equal(ds.train.images.length, 1000 * 32 * 32 * 3);
  const data = toDeviceData(ds);
  const cases = [
    { model: 'mlp', modelOptions: { hidden: [32] }, layers: ['dense_1 3072x32', 'dense_2 32x100'] },
    {
      model: 'cnn',
      modelOptions: { filters: [4, 8], dense: [16] },
      // 32 -3-> 30 -pool-> 15 -3-> 13 -pool-> 6: 6 * 6 * 8 = 288 inputs to the first dense layer.
      layers: ['conv_1 3x3x3x4', 'conv_2 3x3x4x8', 'dense_1 288x16', 'dense_2 16x100'],
    },
  ] as const;
  for (const c of cases) {
    let seen: { input: unknown; output: unknown; kernels: string[] } | undefined;
    const r = await trainRun(
      runSpec({
        id: `${c.model}-relu-seed1`,
        model: c.model,
        modelOptions: c.modelOptions,
        train: { epochs: 1, batchSize: 32, optimizer: 'adam', learningRate: 0.003 },
      }),
      data,
      {
        onCompleted: (model) => {
          seen = { input: model.inputs[0].shape, output: model.outputs[0].shape, kernels: kernelShapes(model) };
          return Promise.resolve();
        },
      },
    );
    assert.equal(r.status, 'completed', `${c.model}: ${r.message}`);
    assert.equal(r.epochs.length, 1);
    assert.deepEqual(seen, { input: [null, 32, 32, 3], output: [null, 100], kernels: [...c.layers] });
    // Cross-entropy over 100 classes starts near ln 100 = 4.6 (over 10 it would be near 2.3).
    const loss = r.epochs[0].trainLoss;
    assert.ok(loss > 4 && loss < 5.5, `${c.model}: first-epoch training loss ${loss}`);
  }
  data.dispose();
});
