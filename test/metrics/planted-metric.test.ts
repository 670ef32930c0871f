/**
 * Adding a per-layer metric is one descriptor file plus its test (metrics/descriptor.ts). The descriptor below stands
 * in for that file: registered here, with no other file touched, the trainer measures it on probe epochs, epochs.csv
 * and dead_neurons.csv carry its column, the column registry and `npm run columns` list it, and the per-layer table
 * pairs it with ReLU by seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src/tf.js';
import { NONNEGATIVE_OR_DIVERGED, type MetricDescriptor } from '../../src/metrics/descriptor.js';
import { hiddenLinearLayers } from '../../src/metrics/probe.js';
import { registerMetric } from '../../src/metrics/registry.js';
import type { Cells } from '../../src/results/files.js';
import { useBackend } from '../helpers/backends.js';
import { runSpec, syntheticDataset } from '../helpers/synthetic.js';

/** Mean |kernel weight| of each hidden linear layer. */
async function meanAbsKernels(model: tf.LayersModel): Promise<number[]> {
  const means = tf.tidy(() => tf.stack(hiddenLinearLayers(model).map((l) => tf.mean(tf.abs(l.getWeights()[0])))));
  try {
    return Array.from(await means.data());
  } finally {
    means.dispose();
  }
}

/** The planted descriptor: what a new metric's file holds. */
const meanAbsWeight: MetricDescriptor<{ layers: number[]; mean: number }> = {
  name: 'weights',
  doc: "mean |kernel weight| of each hidden linear layer (the test's planted metric)",
  async measure({ model }) {
    const layers = await meanAbsKernels(model);
    return { layers, mean: layers.reduce((s, v) => s + v, 0) / layers.length };
  },
  columns: {
    mean_abs_weight: {
      type: NONNEGATIVE_OR_DIVERGED,
      check: 'tolerance',
      later: true,
      doc: 'mean |kernel weight| of the hidden linear layers (a planted metric)',
      epochs: (v) => v.mean,
      dead: (v, i) => v.layers[i],
      layerTable: { label: 'abs weight', optional: true },
    },
  },
};
registerMetric(meanAbsWeight);

// Everything that reads the metric list loads after the registration, as for a descriptor in the built-in list.
const { trainRun } = await import('../../src/train/trainer.js');
const { toDeviceData } = await import('../../src/train/device-data.js');
const { deadRows, epochRow, summaryRow } = await import('../../src/results/rows.js');
const { DEAD_COLUMNS, EPOCH_COLUMNS, SUMMARY_COLUMNS, formatCell, readRows, resultPaths, writeRows } =
  await import('../../src/results/files.js');
const { columnDef, columnTable } = await import('../../src/results/columns.js');
const { compareLayers, layerTableHead, renderLayers } = await import('../../src/report/layers.js');
const { metricDescriptors } = await import('../../src/metrics/registry.js');

test('a registered per-layer descriptor reaches the trainer, the CSVs, the column registry and the layer table', async () => {
  await useBackend('cpu');
  const data = toDeviceData(syntheticDataset());
  const dir = mkdtempSync(join(tmpdir(), 'planted-metric-'));
  const paths = resultPaths(dir);
  const rows: Record<'epochs' | 'dead' | 'summary', Cells[]> = { epochs: [], dead: [], summary: [] };
  const finalKernels = new Map<string, number[]>();
  for (const [name, setting] of [
    ['relu', 'relu'],
    ['leaky_relu', 'leaky_relu'],
  ]) {
    const spec = runSpec({
      id: `mlp-${setting}-seed1`,
      setting,
      activation: { name, params: {} },
      modelOptions: { hidden: [16, 8] },
    });
    const result = await trainRun(spec, data, {
      onCompleted: async (model) => void finalKernels.set(spec.id, await meanAbsKernels(model)),
    });
    assert.equal(result.status, 'completed');
    for (const e of result.epochs) {
      rows.epochs.push(epochRow(spec, e));
      rows.dead.push(...deadRows(spec, e));
    }
    rows.summary.push(summaryRow(spec, 'completed', result, 'cpu'));
  }
  data.dispose();
  await writeRows(paths.epochs, EPOCH_COLUMNS, rows.epochs);
  await writeRows(paths.dead, DEAD_COLUMNS, rows.dead);
  await writeRows(paths.summary, SUMMARY_COLUMNS, rows.summary);

  // The CSVs: its column after the existing ones, one value per hidden layer, the final model's own.
  const header = (path: string): string[] => readFileSync(path, 'utf8').split('\n')[0].split(',');
  assert.equal(header(paths.epochs).at(-1), 'mean_abs_weight');
  assert.equal(header(paths.dead).at(-1), 'mean_abs_weight');
  assert.ok(!header(paths.summary).includes('mean_abs_weight'), 'no summary accessor, no summary column');
  const dead = await readRows(paths.dead);
  const last = dead.filter((r) => r.run_id === 'mlp-relu-seed1' && r.epoch === '2');
  assert.equal(last.length, 2, 'a row per hidden layer');
  assert.deepEqual(
    last.map((r) => r.mean_abs_weight),
    finalKernels.get('mlp-relu-seed1')?.map(formatCell),
    "the last probe's cells are the final model's own values",
  );
  const epochs = await readRows(paths.epochs);
  assert.ok(epochs.every((r) => Number(r.mean_abs_weight) > 0));

  // The column registry and `npm run columns`.
  assert.equal(columnDef('mean_abs_weight')?.check, 'tolerance');
  assert.match(
    columnTable(),
    /\| `mean_abs_weight` \| epochs\.csv, dead_neurons\.csv \| number 0\.\.∞ \| tolerance, later \|/,
  );

  // The per-layer table: paired with ReLU by seed, after the built-in metrics; an optional entry only where some layer
  // has it, so a folder written before the metric keeps its comparison.md.
  const all = compareLayers(await readRows(paths.summary), dead);
  const layers = all.filter((r) => r.metric === 'mean_abs_weight');
  assert.equal(layers.length, 2, 'one row per hidden layer');
  assert.ok(layers.every((r) => r.setting === 'leaky_relu' && r.paired.n === 1));
  assert.deepEqual(layerTableHead(all).slice(-4), ['abs weight', 'abs weight Δ [95% CI]', 'p', 'pairs −/+']);
  assert.match(renderLayers(all).join('\n'), /\| abs weight \| abs weight Δ \[95% CI\] \| p \| pairs −\/\+ \|/);
  const older = all.filter((r) => r.metric !== 'mean_abs_weight');
  assert.ok(!layerTableHead(older).includes('abs weight'));
  assert.doesNotMatch(renderLayers(older).join('\n'), /abs weight/);
});

test('the metric list is fixed once read: a late registration fails instead of missing the files', () => {
  assert.ok(metricDescriptors().some((m) => m.name === 'weights'));
  assert.throws(() => registerMetric({ ...meanAbsWeight, name: 'late' }), /before the metric list is first read/);
});
