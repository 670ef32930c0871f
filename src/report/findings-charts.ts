/**
 * The charts of what the findings rest on, beside the per-epoch ones (charts.ts): per model, the per-layer paired
 * differences from the baseline (layers.ts's numbers); per folder, the variant-gap chart (one setting's paired gap to
 * the baseline in
 * each model label that has both: model variants, or a sweep's cells) and the per-seed strip plot of final test
 * accuracy, one panel per model label (a sweep's small multiples).
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, cellNumber, completedRuns, pctAxis, settingColors, type Chart } from './charts.js';
import { baselineTitle, type ComparisonRow } from './comparison.js';
import { LAYER_METRICS, type LayerComparisonRow } from './layers.js';
import { pairedPoints, pairedSpec } from './paired-chart.js';
import type { Row } from '../results/files.js';

const fileStem = (s: string): string => s.replace(/[^A-Za-z0-9_.-]/g, '_');

/** The per-layer chart's note, naming the metrics it shows (the folder's probes decide which) and the baseline. */
export function layersNote(metrics: string[], b: string): string {
  return (
    `For each hidden layer and seed, this setting's units at the last probe (${metrics.join(', ')}) minus ` +
    `${b}'s with the same seed; dot: mean over seeds, bar: its 95% Student-t interval (unadjusted; the per-layer ` +
    'table gives the numbers). A total over layers can hide opposite changes; this shows where a change sits.'
  );
}

/** Per model: the per-layer paired differences, a panel per metric, a row per layer, a dot per setting. */
export function layerCharts(rows: LayerComparisonRow[], colors: Map<string, string>): Chart[] {
  return [...new Set(rows.map((r) => r.model))].flatMap((model) => {
    const mine = rows.filter((r) => r.model === model && r.paired.n > 0);
    if (mine.length === 0) return [];
    const b = baselineTitle(mine[0].baseline);
    const label = (r: LayerComparisonRow): string => (Number.isFinite(r.units) ? `${r.layer} (${r.units})` : r.layer);
    const values = mine.map((r) => ({
      layer: label(r),
      setting: r.setting,
      metric: LAYER_METRICS.find((m) => m.column === r.metric)?.label ?? r.metric,
      mean: r.paired.meanDiff,
      low: Number.isNaN(r.paired.ciLow) ? null : r.paired.ciLow,
      high: Number.isNaN(r.paired.ciHigh) ? null : r.paired.ciHigh,
    }));
    const settings = [...colors.keys()].filter((s) => values.some((v) => v.setting === s));
    const y = { field: 'layer', type: 'nominal' as const, title: null, sort: [...new Set(values.map((v) => v.layer))] };
    const yOffset = { field: 'setting', type: 'nominal' as const, sort: settings };
    const x = { type: 'quantitative' as const, title: `units, setting − ${b} (same seed)` };
    const color = {
      field: 'setting',
      type: 'nominal' as const,
      title: 'setting',
      scale: { domain: settings, range: settings.map((s) => colors.get(s) ?? '#888888') },
    };
    const spec: TopLevelSpec = {
      title: {
        text: `Per-layer paired difference from ${b} (${model.toUpperCase()})`,
        subtitle: 'units at the last probe; dot: mean over seeds, bar: 95% t-interval',
      },
      data: { values },
      facet: { column: { field: 'metric', type: 'nominal', title: null, sort: LAYER_METRICS.map((m) => m.label) } },
      spec: {
        width: 200,
        height: { step: Math.max(24, 14 * settings.length) },
        layer: [
          {
            mark: { type: 'rule', color: '#333333', strokeWidth: 1 },
            encoding: { x: { datum: 0, type: 'quantitative' } },
          },
          {
            transform: [{ filter: 'datum.low != null' }],
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: { y, yOffset, x: { ...x, field: 'low' }, x2: { field: 'high' }, color },
          },
          {
            mark: { type: 'point', filled: true, size: 50, opacity: 1 },
            encoding: { y, yOffset, x: { ...x, field: 'mean' }, color },
          },
        ],
      },
      config: CHART_CONFIG,
    };
    const title = `Per-layer paired difference from ${b} (${model.toUpperCase()})`;
    const note = layersNote(
      LAYER_METRICS.map((m) => m.label).filter((m) => values.some((v) => v.metric === m)),
      b,
    );
    return [{ id: `layers-${fileStem(model)}`, kind: 'layers' as const, model, title, note, spec }];
  });
}

/** The variant-gap chart's note; `b` names the baseline. */
export function variantGapNote(b: string): string {
  return (
    "For each model label (a model variant, or a sweep's cell) and seed, this setting's final test accuracy minus " +
    `${b}'s of the same model label and seed; dot: mean over seeds, bar: its 95% Student-t interval, in percentage ` +
    "points; band: ±margin. The verdict is the model's own (Holm over its settings, as in its table). Whether two " +
    "models' gaps differ is a paired test of its own: `nrelu-bench stats gap`."
  );
}

/**
 * One chart per setting that is paired with the baseline in two or more model labels (the primary setting first):
 * its gap to the baseline in each, a row per model label.
 */
export function variantGapCharts(rows: ComparisonRow[]): Chart[] {
  const paired = rows.filter((r) => r.setting !== r.baseline && r.paired !== null && r.paired.n > 0);
  const primary = new Set(rows.filter((r) => r.isPrimary).map((r) => r.setting));
  const settings = [...new Set(paired.map((r) => r.setting))]
    .filter((s) => new Set(paired.filter((r) => r.setting === s).map((r) => r.model)).size >= 2)
    .sort((a, b) => Number(primary.has(b)) - Number(primary.has(a)));
  const models = [...new Set(rows.map((r) => r.model))];
  const colors = settingColors(models);
  return settings.map((setting) => {
    const mine = paired.filter((r) => r.setting === setting);
    const points = pairedPoints(mine.map((r) => ({ ...r, setting: r.model })));
    const baseline = baselineTitle(mine[0].baseline);
    const title = `Gap to ${baseline} in each model: ${setting}`;
    const subtitle =
      `${setting} − ${mine[0].baseline}, final test accuracy, same model and seed; ` +
      `band: ±${mine[0].marginPp} pp margin`;
    const spec = pairedSpec('', points, mine[0].marginPp, colors, { title, subtitle, baseline });
    return {
      id: `variant_gap-${fileStem(setting)}`,
      kind: 'variant_gap' as const,
      model: '',
      title,
      note: variantGapNote(baseline),
      spec,
    };
  });
}

export const SEEDS_NOTE =
  "Each completed run's test accuracy after the last epoch, one dot per seed (seeds side by side within a " +
  'setting); the tick is the mean over seeds. One panel per model label, on a shared axis.';

/** Per-seed final test accuracy: a panel per model label, a column of dots per setting, a tick at the mean. */
export function seedStripChart(summary: Row[], colors: Map<string, string>): Chart[] {
  const values = [...completedRuns(summary).values()].flatMap((r) => {
    const acc = cellNumber(r.final_test_acc);
    return acc === null ? [] : [{ model: r.model, setting: r.setting, seed: r.seed, acc }];
  });
  if (values.length === 0) return [];
  const models = [...new Set(values.map((v) => v.model))];
  const settings = [...colors.keys()].filter((s) => values.some((v) => v.setting === s));
  const x = { field: 'setting', type: 'nominal' as const, title: null, sort: settings, axis: { labelAngle: -35 } };
  const y = {
    field: 'acc',
    type: 'quantitative' as const,
    title: 'final test accuracy',
    axis: pctAxis(values.map((v) => v.acc)),
    scale: { zero: false },
  };
  const color = {
    field: 'setting',
    type: 'nominal' as const,
    legend: null,
    scale: { domain: settings, range: settings.map((s) => colors.get(s) ?? '#888888') },
  };
  const title = 'Final test accuracy of each seed';
  const spec: TopLevelSpec = {
    title: { text: title, subtitle: 'dot: one seed; tick: mean over seeds; a panel per model' },
    data: { values },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    // shared axes: every panel lists every setting (a gap where a model label did not run one)
    columns: Math.min(models.length, 3),
    spec: {
      width: Math.max(120, 48 * settings.length),
      height: 200,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 40, opacity: 0.85 },
          encoding: { x, xOffset: { field: 'seed', type: 'nominal' }, y, color },
        },
        {
          mark: { type: 'tick', thickness: 2, size: 30 },
          encoding: { x, y: { ...y, aggregate: 'mean' }, color },
        },
      ],
    },
    config: CHART_CONFIG,
  };
  return [{ id: 'seeds-all', kind: 'seeds', model: '', title, note: SEEDS_NOTE, spec }];
}
