import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateSeries,
  buildCharts,
  cellNumber,
  completedRuns,
  pctAxis,
  settingColors,
  settingOrder,
} from '../../src/report/charts.js';
import { readRows, resultPaths, type Row } from '../../src/results/files.js';
import { compare } from '../../src/report/comparison.js';
import { compareLayers } from '../../src/report/layers.js';
import { layerCharts, seedStripChart, variantGapCharts } from '../../src/report/findings-charts.js';
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

test('pctAxis: as many decimals as the span needs, and ticks one label step apart, so no two labels are the same', () => {
  for (const [lo, hi, format] of [
    [0.88, 0.8816, '.2%'], // the narrow fixture: ".1%" printed 88.0% and 88.1% on several ticks
    [0.985, 0.99, '.1%'],
    [0.5, 0.99, '.0%'],
    [0, 0.0004, '.3%'],
  ] as const) {
    const axis = pctAxis([hi, lo, (lo + hi) / 2, NaN]);
    assert.equal(axis.format, format, `${lo}..${hi}`);
    const decimals = Number(format[1]);
    assert.ok(Math.abs(axis.tickMinStep - 10 ** -(decimals + 2)) < 1e-15);
    // Vega's ticks are multiples of a step >= tickMinStep (1, 2 or 5 x 10^k): each prints its own label
    const labels = Array.from({ length: 12 }, (_, k) => (100 * (lo + k * axis.tickMinStep)).toFixed(decimals));
    assert.equal(new Set(labels).size, labels.length, `${lo}..${hi}: ${labels.join(' ')}`);
  }
  assert.equal(pctAxis([]).format, '.1%', 'no data: one decimal');
});

test("the sigma chart's y domain covers every error bar and reference rule", async () => {
  const charts = buildCharts(await rowsOf(await writeFixture({ narrow: true })));
  for (const model of ['mlp', 'cnn']) {
    const chart = charts.find((c) => c.id === `sigma-${model}`);
    assert.ok(chart && 'layer' in chart.spec);
    const layers = chart.spec.layer as { data: unknown; encoding: { y: { scale: { domain: number[] } } } }[];
    const [lo, hi] = layers[1].encoding.y.scale.domain;
    const ys = [
      ...values(layers[0].data).map((r) => r.mean as number),
      ...values(layers[1].data).flatMap((p) => [p.min as number, p.max as number]),
    ];
    assert.ok(ys.length > 0);
    for (const y of ys) assert.ok(y > lo && y < hi, `${model}: ${y} inside [${lo}, ${hi}]`);
    for (const l of layers) assert.deepEqual(l.encoding.y.scale.domain, [lo, hi], 'one domain for every layer');
  }
});

test('an inactive_pool_mean chart when epochs.csv has the column filled, none when it is empty', async () => {
  const rows = await rowsOf(await writeFixture());
  assert.ok(!buildCharts(rows).some((c) => c.kind === 'inactive_pool_mean'), 'empty column: no chart');
  const epochs = rows.epochs.map((r) => ({ ...r, inactive_pool_mean: r.run_id.includes('nrelu') ? '0.103' : '0' }));
  const chart = buildCharts({ ...rows, epochs }).find((c) => c.id === 'inactive_pool_mean-mlp');
  assert.ok(chart);
  assert.equal(chart.title, 'What inactive pooling windows pass on, per epoch (MLP)');
  const layer = (chart.spec as { layer: { encoding: { y: { title: string } } }[] }).layer[1];
  assert.equal(layer.encoding.y.title, 'mean output of inactive windows', 'a value, not "of N hidden units"');
  const point = values(chart.spec.data).find((p) => p.setting === 'nrelu-s0.1' && p.x === 3);
  assert.equal(point?.mean, 0.103);
});

test('layerCharts: per model, the per-layer paired differences from the per-layer comparison', async () => {
  const dir = await writeFixture({ dormant: true });
  const summary = await readRows(resultPaths(dir).summary);
  const layers = compareLayers(summary, await readRows(resultPaths(dir).dead));
  const charts = layerCharts(layers, settingColors(settingOrder(summary)));
  assert.deepEqual(
    charts.map((c) => c.id),
    ['layers-cnn', 'layers-mlp'],
  );
  const points = values(charts[1].spec.data);
  const row = layers.find(
    (r) => r.model === 'mlp' && r.layer === 'dense_1' && r.setting === 'gelu' && r.metric === 'dead',
  );
  assert.ok(row);
  assert.deepEqual(
    points.find((p) => p.layer === 'dense_1 (256)' && p.setting === 'gelu' && p.metric === 'dead'),
    {
      layer: 'dense_1 (256)',
      setting: 'gelu',
      metric: 'dead',
      mean: row.paired.meanDiff,
      low: row.paired.ciLow,
      high: row.paired.ciHigh,
    },
  );
  assert.match(charts[1].note, /\(dead, dormant\)/, 'the note names the metrics shown');
});

/** A sweep's folder: the fixture's two models relabelled as two cells of one MLP (`mlp-lr0.001`, `mlp-lr0.003`). */
function asSweepCells(rows: Row[]): Row[] {
  const cell = (model: string): string => (model === 'mlp' ? 'mlp-lr0.001' : 'mlp-lr0.003');
  return rows.map((r) => ({
    ...r,
    model: cell(r.model),
    run_id: r.run_id.replace(/^(mlp|cnn)-/, (_m, m: string) => `${cell(m)}-`),
  }));
}

test("variantGapCharts: each setting's paired gap to ReLU in every model label, sweep cells included", async () => {
  const summary = asSweepCells(await readRows(resultPaths(await writeFixture()).summary));
  const table = compare(summary);
  const charts = variantGapCharts(table);
  assert.equal(charts[0].id, 'variant_gap-nrelu-s0.1', 'the primary setting first');
  assert.deepEqual(
    charts.map((c) => c.id).sort(),
    FIXTURE_SETTING_TAGS.slice(1)
      .map((s) => `variant_gap-${s}`)
      .sort(),
  );
  assert.ok(charts.every((c) => c.model === '' && c.kind === 'variant_gap'));
  const layers = (charts[0].spec as { layer: { data: unknown }[] }).layer;
  const dots = values(layers[3].data);
  for (const cell of ['mlp-lr0.001', 'mlp-lr0.003']) {
    const row = table.find((r) => r.model === cell && r.setting === 'nrelu-s0.1');
    assert.ok(row?.paired);
    const dot = dots.find((d) => d.setting === cell);
    assert.ok(dot, cell);
    assert.equal(dot.mean, 100 * row.paired.meanDiff);
    assert.equal(dot.low, 100 * row.paired.ciLow);
    assert.match(String(dot.label), new RegExp(`^${cell} · `));
  }
  // one model label alone has nothing to compare
  assert.deepEqual(variantGapCharts(table.filter((r) => r.model === 'mlp-lr0.001')), []);
});

test('seedStripChart: a dot per completed run, a panel per model label', async () => {
  const summary = asSweepCells(await readRows(resultPaths(await writeFixture({ failedRun: true })).summary));
  const [chart] = seedStripChart(summary, settingColors(settingOrder(summary)));
  assert.equal(chart.id, 'seeds-all');
  const dots = values(chart.spec.data);
  assert.equal(dots.length, summary.filter((r) => r.status === 'completed').length, 'the failed run left out');
  assert.deepEqual(
    dots.find((d) => d.model === 'mlp-lr0.003' && d.setting === 'gelu' && d.seed === '2'),
    { model: 'mlp-lr0.003', setting: 'gelu', seed: '2', acc: fixtureAcc('cnn', 1, 2, 3) },
  );
  const facet = (chart.spec as { facet: { field: string; sort: string[] } }).facet;
  assert.deepEqual(facet, { field: 'model', type: 'nominal', title: null, sort: ['mlp-lr0.001', 'mlp-lr0.003'] });
});

test("the varied parameter's chart is any activation's: its name and title come from the rows and the descriptor", () => {
  // LeakyReLU at three constant slopes and ReLU, no N-ReLU: the chart plots accuracy against alpha.
  const summary: Row[] = [
    ['relu', '', '', 0.97],
    ['leaky_relu-alpha0.01', '0.01', 'alpha', 0.971],
    ['leaky_relu-alpha0.1', '0.1', 'alpha', 0.973],
    ['leaky_relu-alpha0.3', '0.3', 'alpha', 0.969],
  ].flatMap(([setting, value, param, acc]) =>
    [1, 2].map((seed) => ({
      run_id: `mlp-${setting}-seed${seed}`,
      model: 'mlp',
      activation: String(setting).split('-')[0],
      sigma: String(value),
      param: String(param),
      seed: String(seed),
      status: 'completed',
      final_test_acc: String(Number(acc) + seed * 1e-4),
      units: '64',
    })),
  );
  const chart = buildCharts({ summary, epochs: [], robustness: [] }).find((c) => c.id === 'sigma-mlp');
  assert.ok(chart && 'layer' in chart.spec);
  assert.equal(chart.title, 'Final test accuracy against alpha (MLP)');
  assert.match(chart.note, /each LeakyReLU run with a constant alpha, against alpha/);
  const [refs, , curve] = chart.spec.layer.map((l) => values(l.data));
  assert.deepEqual(
    curve.map((p) => [p.setting, p.x]),
    [
      ['LeakyReLU (alpha on x axis)', 0.01],
      ['LeakyReLU (alpha on x axis)', 0.1],
      ['LeakyReLU (alpha on x axis)', 0.3],
    ],
  );
  assert.deepEqual(
    refs.map((r) => r.setting),
    ['relu'],
  );
});
