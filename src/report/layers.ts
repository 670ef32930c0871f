/**
 * The per-layer comparison: dead, dormant and gradient-dead units of each hidden layer at a run's last
 * probe, paired by seed with the baseline (config `compare.baseline`, ReLU by default). Totals over layers can hide opposite effects (more dead units in one
 * layer, fewer in the next), so each layer gets its own paired difference, 95% t-interval and paired
 * p-value (unadjusted: these describe where a total's change sits, they are not the claim's test).
 * comparison.md gets one table per model, comparison-layers.csv the same numbers unrounded.
 */
import { pairedTest, type BySeed, type PairedResult } from '../stats/paired.js';
import { mean } from '../stats/statistics.js';
import type { CellValue, Row } from '../results/files.js';
import { layerMetrics } from '../results/columns.js';
import { baselineTitle, compareSettings } from './comparison.js';
import { settingOf } from '../results/pooling.js';
import { compareSettingsOf } from '../results/manifest.js';
import { VARIED_COLUMN, variedLabel, variedOf, type VariedParam } from '../results/varied.js';
import { pValue } from './format.js';

/** The per-layer metrics, as dead_neurons.csv names them, with the words the tables use (the descriptors' `layerTable`). */
export const LAYER_METRICS: readonly { column: string; label: string; optional: boolean }[] = layerMetrics();
/** A per-layer metric's dead_neurons.csv column. */
export type LayerMetric = string;

export const LAYER_COLUMNS = [
  'model',
  'layer',
  'units',
  'setting',
  'activation',
  VARIED_COLUMN,
  'metric',
  'n',
  'mean',
  'relu_mean',
  'paired_n',
  'paired_diff_mean',
  'paired_diff_ci95_low',
  'paired_diff_ci95_high',
  'paired_p',
  'pairs_below',
  'pairs_above',
  'param',
] as const;

export interface LayerComparisonRow {
  model: string;
  layer: string;
  units: number;
  setting: string;
  activation: string;
  varied: VariedParam | null;
  metric: LayerMetric;
  /** The setting it is paired with (config `compare.baseline`). */
  baseline: string;
  /** The setting's mean count over its completed runs, and the baseline's over its own (CSV: `relu_mean`). */
  mean: number;
  reluMean: number;
  n: number;
  paired: PairedResult;
  /** Pairs in which this setting has fewer / more units than the baseline with the same seed. */
  below: number;
  above: number;
}

/** The last probed value of each metric, per run and layer: run id -> layer -> metric -> count. */
function lastProbe(dead: Row[]): Map<string, Map<string, Partial<Record<LayerMetric, number>>>> {
  const out = new Map<string, Map<string, Partial<Record<LayerMetric, number>>>>();
  const epochOf = new Map<string, number>();
  for (const row of dead) {
    const layers = out.get(row.run_id) ?? new Map<string, Partial<Record<LayerMetric, number>>>();
    out.set(row.run_id, layers);
    const values = layers.get(row.layer) ?? {};
    layers.set(row.layer, values);
    for (const { column } of LAYER_METRICS) {
      const cell = row[column];
      const key = `${row.run_id}\u0000${row.layer}\u0000${column}`;
      const epoch = Number(row.epoch);
      if (cell === '' || cell === undefined || epoch < (epochOf.get(key) ?? -Infinity)) continue;
      epochOf.set(key, epoch);
      values[column] = Number(cell);
    }
  }
  return out;
}

interface RunInfo {
  model: string;
  setting: string;
  activation: string;
  varied: VariedParam | null;
  seed: number;
}

/** Per model, layer, setting (other than the baseline) and metric: the paired comparison with the baseline. */
export function compareLayers(
  summary: Row[],
  dead: Row[],
  baseline = compareSettingsOf({}).baseline,
): LayerComparisonRow[] {
  const probes = lastProbe(dead);
  const runs = new Map<string, RunInfo>();
  for (const r of summary) {
    if (r.status !== 'completed' || !probes.has(r.run_id)) continue;
    runs.set(r.run_id, {
      model: r.model,
      setting: settingOf(r),
      activation: r.activation,
      varied: variedOf(r),
      seed: Number(r.seed),
    });
  }
  const units = new Map<string, number>();
  for (const row of dead) units.set(`${runs.get(row.run_id)?.model}\u0000${row.layer}`, Number(row.units));
  const out: LayerComparisonRow[] = [];
  for (const model of [...new Set([...runs.values()].map((r) => r.model))].sort()) {
    const mine = [...runs].filter(([, r]) => r.model === model);
    const layers = [...new Set(mine.flatMap(([id]) => [...(probes.get(id)?.keys() ?? [])]))];
    const settings = [...new Map(mine.map(([, r]) => [r.setting, r])).values()].sort(compareSettings);
    const valuesOf = (setting: string, layer: string, metric: LayerMetric): BySeed =>
      new Map(
        mine.flatMap(([id, r]) => {
          const v = probes.get(id)?.get(layer)?.[metric];
          return r.setting === setting && v !== undefined ? [[r.seed, v] as [number, number]] : [];
        }),
      );
    for (const layer of layers) {
      for (const s of settings.filter((x) => x.setting !== baseline)) {
        for (const { column } of LAYER_METRICS) {
          const here = valuesOf(s.setting, layer, column);
          const relu = valuesOf(baseline, layer, column);
          if (here.size === 0 || relu.size === 0) continue;
          const paired = pairedTest(here, relu, 0);
          const diffs = paired.seeds.map((seed) => (here.get(seed) as number) - (relu.get(seed) as number));
          out.push({
            model,
            layer,
            units: units.get(`${model}\u0000${layer}`) ?? NaN,
            setting: s.setting,
            activation: s.activation,
            varied: s.varied,
            metric: column,
            baseline,
            mean: mean([...here.values()]),
            reluMean: mean([...relu.values()]),
            n: here.size,
            paired,
            below: diffs.filter((d) => d < 0).length,
            above: diffs.filter((d) => d > 0).length,
          });
        }
      }
    }
  }
  return out;
}

/** comparison-layers.csv rows: the same numbers as the Markdown, unrounded. */
export function layerRecords(rows: LayerComparisonRow[]): Record<string, CellValue>[] {
  const num = (v: number): number | null => (Number.isNaN(v) ? null : v);
  return rows.map((r) => ({
    model: r.model,
    layer: r.layer,
    units: num(r.units),
    setting: r.setting,
    activation: r.activation,
    [VARIED_COLUMN]: variedLabel(r.varied),
    metric: r.metric,
    n: r.n,
    mean: num(r.mean),
    relu_mean: num(r.reluMean),
    paired_n: r.paired.n,
    paired_diff_mean: num(r.paired.meanDiff),
    paired_diff_ci95_low: num(r.paired.ciLow),
    paired_diff_ci95_high: num(r.paired.ciHigh),
    paired_p: r.paired.p,
    pairs_below: r.below,
    pairs_above: r.above,
    param: r.varied?.param ?? '',
  }));
}

/** A paired difference in units: `+1.5 [+0.3, +2.7]`. */
export function unitDiffCell(p: PairedResult): string {
  const signed = (v: number): string => (Number.isNaN(v) ? '–' : `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(1)}`);
  if (p.n === 0) return '–';
  return Number.isNaN(p.ciLow) ? signed(p.meanDiff) : `${signed(p.meanDiff)} [${signed(p.ciLow)}, ${signed(p.ciHigh)}]`;
}

/** The metrics a table of `rows` shows: every one but an optional one that no row has (older folders keep their bytes). */
function shownMetrics(rows: LayerComparisonRow[]): readonly { column: string; label: string }[] {
  return LAYER_METRICS.filter((m) => !m.optional || rows.some((r) => r.metric === m.column));
}

/** One row per layer and setting: each metric's paired Δ [95% CI], its p and the pairs below/above the baseline. */
export function layerTableRows(
  rows: LayerComparisonRow[],
): { layer: string; units: number; setting: string; cells: string[] }[] {
  const shown = shownMetrics(rows);
  const keyed = new Map<string, LayerComparisonRow[]>();
  for (const r of rows)
    keyed.set(`${r.layer}\u0000${r.setting}`, [...(keyed.get(`${r.layer}\u0000${r.setting}`) ?? []), r]);
  return [...keyed.values()].map((group) => ({
    layer: group[0].layer,
    units: group[0].units,
    setting: group[0].setting,
    cells: shown.flatMap(({ column }) => {
      const r = group.find((x) => x.metric === column);
      if (!r) return ['–', '–', '–', '–'];
      return [r.mean.toFixed(1), unitDiffCell(r.paired), pValue(r.paired.p), `${r.below}/${r.above}`];
    }),
  }));
}

/** The metrics' column heads of a table of `rows` (layerTableRows' cells). */
export function layerTableHead(rows: LayerComparisonRow[]): string[] {
  return shownMetrics(rows).flatMap(({ label }) => [label, `${label} Δ [95% CI]`, 'p', 'pairs ' + '−/+']);
}

/** The Markdown section: one table per model, or nothing when the folder has no per-layer probes. */
export function renderLayers(rows: LayerComparisonRow[]): string[] {
  if (rows.length === 0) return [];
  const b = baselineTitle(rows[0].baseline);
  const out = [
    `## Per layer, paired with ${b}`,
    '',
    'Units of each hidden layer at the last probe, mean over seeds; Δ: mean over seeds of (this setting − ' +
      `${b} with the same seed)`,
    'in units, with its 95% t-interval and paired t-test p (unadjusted; – when every pair is equal); pairs ' +
      '−/+: pairs with fewer /',
    `more units than ${b}. Totals over layers (the table above) can hide opposite changes in different layers.`,
    '',
  ];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const mine = rows.filter((x) => x.model === model);
    const head = layerTableHead(mine);
    out.push(
      `### ${model.toUpperCase()}`,
      '',
      `| layer | setting | ${head.join(' | ')} |`,
      `|---|---|${head.map(() => '---').join('|')}|`,
    );
    for (const r of layerTableRows(mine)) {
      out.push(`| ${r.layer} (${r.units}) | ${r.setting} | ${r.cells.join(' | ')} |`);
    }
    out.push('');
  }
  return out;
}
