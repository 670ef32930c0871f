import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateSeries,
  buildCharts,
  cellNumber,
  completedRuns,
  settingColors,
  settingOrder,
} from '../../src/report/charts.js';
import { readRows, resultPaths, type Row } from '../../src/results/files.js';
import { FIXTURE_SETTING_TAGS, fixtureAcc, writeFixture, removeFixtures } from './fixture.js';

after(removeFixtures);

async function rowsOf(dir: string): Promise<{ summary: Row[]; epochs: Row[]; robustness: Row[] }> {
  const p = resultPaths(dir);
  return {
    summary: await readRows(p.summary),
    epochs: await readRows(p.epochs),
    robustness: await readRows(p.robustness),
  };
}

/** The `values` of a spec's (or a layer's) inline data. */
function values(data: unknown): Record<string, unknown>[] {
  return (data as { values: Record<string, unknown>[] }).values;
}

test('cellNumber treats empty cells as missing, not 0', () => {
  assert.equal(cellNumber(''), null);
  assert.equal(cellNumber(undefined), null);
  assert.equal(cellNumber('NaN'), null);
  assert.equal(cellNumber('0'), 0);
  assert.equal(cellNumber('0.25'), 0.25);
});

test('aggregateSeries: mean, min and max over seeds per setting and epoch; empty cells skipped', () => {
  const runs = new Map([
    ['a1', { setting: 'a' }],
    ['a2', { setting: 'a' }],
  ]);
  const rows: Row[] = [
    { run_id: 'a1', epoch: '1', dead: '2' },
    { run_id: 'a2', epoch: '1', dead: '6' },
    { run_id: 'a1', epoch: '2', dead: '' },
    { run_id: 'a2', epoch: '2', dead: '' },
    { run_id: 'other', epoch: '1', dead: '100' },
  ];
  assert.deepEqual(aggregateSeries(rows, runs, 'epoch', 'dead'), [
    { setting: 'a', x: 1, mean: 4, min: 2, max: 6, n: 2 },
  ]);
});

test('settings follow the comparison order and keep one colour across models', async () => {
  const { summary } = await rowsOf(await writeFixture());
  assert.deepEqual(settingOrder(summary), FIXTURE_SETTING_TAGS);
  const colors = settingColors(settingOrder(summary));
  assert.equal(new Set(colors.values()).size, FIXTURE_SETTING_TAGS.length);
});

test('buildCharts: the charts of each model, with the data they should plot', async () => {
  const rows = await rowsOf(await writeFixture({ failedRun: true }));
  const charts = buildCharts(rows);
  assert.deepEqual(
    charts.map((c) => c.id),
    ['accuracy', 'loss', 'sigma', 'dead']
      .flatMap((k) => [`${k}-cnn`])
      .concat(['accuracy', 'loss', 'sigma', 'dead'].map((k) => `${k}-mlp`)),
  );
  const runs = completedRuns(rows.summary);
  assert.equal(runs.has('mlp-relu-seed3'), false, 'failed run excluded');

  const acc = charts.find((c) => c.id === 'accuracy-mlp');
  assert.ok(acc);
  const points = values(acc.spec.data);
  assert.equal(points.length, 5 * 3, 'one point per setting and epoch');
  const relu3 = points.find((p) => p.setting === 'relu' && p.x === 3);
  assert.ok(relu3);
  const expected = [1, 2].map((seed) => fixtureAcc('mlp', 0, seed, 3));
  assert.ok(Math.abs((relu3.mean as number) - (expected[0] + expected[1]) / 2) < 1e-9);
  assert.ok(Math.abs((relu3.min as number) - expected[0]) < 1e-9);
  assert.ok(Math.abs((relu3.max as number) - expected[1]) < 1e-9);
  const relu1 = points.find((p) => p.setting === 'relu' && p.x === 1);
  assert.equal(relu1?.n, 2, 'the failed seed-3 run is not in the mean');

  const sigma = charts.find((c) => c.id === 'sigma-mlp');
  assert.ok(sigma && 'layer' in sigma.spec);
  const [refs, , curve] = sigma.spec.layer.map((l) => values(l.data));
  assert.deepEqual(
    curve.map((p) => p.x),
    [0.05, 0.1],
    'constant sigmas only, in order',
  );
  assert.deepEqual(refs.map((r) => r.setting).sort(), ['gelu', 'nrelu-s0.2to0.05-linear', 'relu']);

  const dead = charts.find((c) => c.id === 'dead-mlp');
  assert.ok(dead);
  assert.deepEqual([...new Set(values(dead.spec.data).map((p) => p.x))].sort(), [1, 3], 'epoch 2 had no probe');
});

test('buildCharts adds gradient-dead, dormant and robustness charts only when their data exist', async () => {
  const charts = buildCharts(await rowsOf(await writeFixture({ dormant: true, robustness: true, gradient: true })));
  const kinds = charts.filter((c) => c.model === 'mlp').map((c) => c.kind);
  assert.deepEqual(
    kinds,
    ['accuracy', 'loss', 'sigma', 'dead', 'grad_dead', 'dormant', 'zero_output', 'robustness'],
    'gradient-dead beside dead',
  );
  const grad = charts.find((c) => c.id === 'grad_dead-mlp');
  assert.ok(grad);
  const at3 = (setting: string) => values(grad.spec.data).find((p) => p.setting === setting && p.x === 3);
  assert.deepEqual(
    at3('nrelu-s0.1'),
    { setting: 'nrelu-s0.1', x: 3, mean: 10.5, min: 10, max: 11, n: 2 },
    '3 * epoch + seed over seeds 1, 2',
  );
  assert.equal(at3('gelu')?.mean, 0);
  const robustness = charts.find((c) => c.id === 'robustness-cnn');
  assert.ok(robustness);
  assert.deepEqual([...new Set(values(robustness.spec.data).map((p) => p.x))], [0.1, 0.2, 0.3]);
});

test('no sigma chart without constant-sigma N-ReLU runs', () => {
  const summary: Row[] = [
    {
      run_id: 'mlp-relu-seed1',
      model: 'mlp',
      activation: 'relu',
      sigma: '',
      seed: '1',
      status: 'completed',
      final_test_acc: '0.9',
    },
    {
      run_id: 'mlp-nrelu-s0.2to0-linear-seed1',
      model: 'mlp',
      activation: 'nrelu',
      sigma: '0.2->0:linear',
      seed: '1',
      status: 'completed',
      final_test_acc: '0.9',
    },
  ];
  const epochs: Row[] = summary.map((r) => ({
    ...r,
    epoch: '1',
    test_acc: '0.9',
    train_loss: '0.3',
    test_loss: '0.3',
    dead: '',
    units: '',
  }));
  assert.deepEqual(
    buildCharts({ summary, epochs, robustness: [] }).map((c) => c.kind),
    ['accuracy', 'loss'],
  );
});
