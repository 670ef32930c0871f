/**
 * Saved models (`run --save-models`): every activation's model, custom layers included, goes to files and
 * comes back with the same predictions bit for bit; and a saved run's model scores on the test set exactly
 * the final test accuracy its summary row records.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src/tf.js';
import { buildModel } from '../../src/models/build.js';
import { MODEL_FILE, WEIGHTS_FILE, loadSavedModel, modelFiles } from '../../src/models/saved.js';
import { activationNames, type ActivationSpec } from '../../src/activations/registry.js';
import { loadActivationModule } from '../../src/activations/module.js';
import { loadDataset } from '../../src/data/datasets.js';
import { toDeviceData } from '../../src/train/device-data.js';
import { evaluate } from '../../src/train/trainer.js';
import { readRowsSync } from '../../src/results/files.js';
import { runCli } from '../helpers/cli.js';
import { UserError } from '../../src/errors.js';
import { tinyConfig } from '../helpers/results.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-saved-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SWISH = join(import.meta.dirname, '../../examples/swish.mjs');
/** Parameters for the activations that need one; every registered activation is covered. */
const PARAMS: Record<string, Record<string, unknown>> = { nrelu: { sigma: 0.1 }, swish: { beta: 1.5 } };

test('every registered activation (and a module activation) round-trips through model.json + weights.bin', async () => {
  await tf.setBackend('cpu');
  await loadActivationModule(SWISH);
  const names = activationNames();
  for (const required of ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu', 'nrelu', 'silu', 'swish'])
    assert.ok(names.includes(required), required);
  const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 7);
  for (const name of names) {
    for (const kind of ['mlp', 'cnn'] as const) {
      const spec: ActivationSpec = PARAMS[name] ? { name, ...PARAMS[name] } : name;
      const model = buildModel({
        model: kind,
        activation: spec,
        seed: 5,
        dense: [8],
        hidden: [12, 8],
        filters: [4, 4],
      });
      const files = await modelFiles(model);
      const where = join(dir, `${kind}-${name}`);
      await mkdir(where, { recursive: true });
      await writeFile(join(where, WEIGHTS_FILE), new Uint8Array(files.weights));
      await writeFile(join(where, MODEL_FILE), files.modelJson);
      const loaded = await loadSavedModel(where);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()), `${kind} ${name}: same predictions`);
      assert.deepEqual(
        loaded.layers.map((l) => l.getClassName()),
        model.layers.map((l) => l.getClassName()),
        `${kind} ${name}: same layers`,
      );
      tf.dispose([a, b]);
      model.dispose();
      loaded.dispose();
    }
  }
  x.dispose();
});

test("run --save-models writes each completed run's final model, which scores its recorded final test accuracy", async () => {
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, tinyConfig());
  const out = join(dir, 'grid');
  const r = await runCli(['run', config, '--out', out, '--jobs', '2', '--no-report', '--save-models']);
  assert.equal(r.code, 0, r.stderr);
  const summary = readRowsSync(join(out, 'summary.csv'));
  assert.equal(summary.length, 4);
  await tf.setBackend('cpu');
  const data = toDeviceData(await loadDataset('mnist-10k'), { train: 256, test: 128 });
  for (const row of summary) {
    const where = join(out, 'models', row.run_id);
    const manifest = JSON.parse(readFileSync(join(where, MODEL_FILE), 'utf8')) as {
      format: string;
      weightsManifest: { paths: string[] }[];
    };
    assert.equal(manifest.format, 'layers-model');
    assert.deepEqual(manifest.weightsManifest[0].paths, [`./${WEIGHTS_FILE}`]);
    const model = await loadSavedModel(where);
    const { acc } = await evaluate(model, data.test, data.classes);
    assert.equal(acc, Number(row.final_test_acc), `${row.run_id}: the saved model is the final one`);
    model.dispose();
  }
  data.dispose();

  // Without the flag nothing is saved; a run trained again loses its old model first.
  const plain = join(dir, 'plain');
  assert.equal((await runCli(['run', config, '--out', plain, '--only', 'mlp-relu-seed1', '--no-report'])).code, 0);
  assert.equal(existsSync(join(plain, 'models')), false);
  // A changed setting retrained on purpose (--fresh: run refuses to overwrite it unasked); without --save-models
  // its old model must not stay beside the new rows.
  const again = await runCli([
    'run',
    config,
    'train.epochs=1',
    '--out',
    out,
    '--only',
    'mlp-relu-seed1',
    '--fresh',
    '--no-report',
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(existsSync(join(out, 'models', 'mlp-relu-seed1')), false, 'no stale model of a retrained run');
  assert.equal(existsSync(join(out, 'models', 'mlp-relu-seed2', MODEL_FILE)), true, 'the other runs keep theirs');
});

test('loadSavedModel: a missing or damaged model is a one-line UserError naming the folder, not TF.js source', async () => {
  await tf.setBackend('cpu');
  const good = join(dir, 'good');
  await mkdir(good, { recursive: true });
  const files = await modelFiles(buildModel({ model: 'mlp', activation: 'relu', seed: 1, hidden: [4] }));
  await writeFile(join(good, MODEL_FILE), files.modelJson);
  await writeFile(join(good, WEIGHTS_FILE), new Uint8Array(files.weights));
  const variant = async (name: string, model: string | null, weights: Uint8Array | null): Promise<string> => {
    const where = join(dir, name);
    await mkdir(where, { recursive: true });
    if (model !== null) await writeFile(join(where, MODEL_FILE), model);
    if (weights !== null) await writeFile(join(where, WEIGHTS_FILE), weights);
    return where;
  };
  const weights = new Uint8Array(files.weights);
  const cases: [string, RegExp][] = [
    [join(dir, 'no-such-folder'), /model\.json not found/],
    [join(good, MODEL_FILE), /is not a folder/],
    [await variant('no-weights', files.modelJson, null), /weights\.bin not found/],
    [await variant('not-json', '{"modelTopology": ', weights), /model\.json: not valid JSON/],
    [await variant('not-a-model', '{"hello": 1}\n', weights), /model\.json: no topology or weights/],
    [await variant('short-weights', files.modelJson, weights.slice(0, 8)), /weights\.bin has 8 bytes where/],
    [
      await variant('unknown-layer', files.modelJson.replaceAll('"Dense"', '"NoSuchLayer"'), weights),
      /TF\.js could not load it: Unknown layer: NoSuchLayer$/,
    ],
  ];
  for (const [where, message] of cases) {
    await assert.rejects(loadSavedModel(where), (err: unknown) => {
      assert.ok(err instanceof UserError, `${where}: ${String(err)}`);
      assert.match(err.message, message);
      assert.ok(err.message.includes(where), err.message);
      assert.ok(!err.message.includes('\n') && err.message.length < 300, err.message);
      return true;
    });
  }
  assert.ok(await loadSavedModel(good));
});
