/**
 * The report's charts as Vega-Lite specs: pure functions from result rows to specs, so they can
 * be tested without rendering. Runs are grouped by setting (`settingOf`: the run id without model
 * and seed); only completed runs enter a chart, as in the comparison table. Lines are means over
 * seeds, bands the min-max over seeds. A setting has the same colour in every chart.
 */
import type { TopLevelSpec } from 'vega-lite';
import { DEFINITIONS } from './definitions.js';
import { epochCharts, type EpochChart } from '../results/columns.js';
import { compareSettings } from './comparison.js';
import { settingOf } from '../results/pooling.js';
import { VARIED_COLUMN, variedOf } from '../results/varied.js';
import { findActivation } from '../activations/registry.js';
import type { Row } from '../results/files.js';

/**
 * The charts of a model: the fixed ones, the per-epoch charts of registry columns (columns.ts `chart`, from the metric
 * descriptors: any name), the paired differences.
 */
export type ChartKind = FixedKind | EpochChart['kind'] | 'paired' | FindingsKind;
/** The charts every model gets, whatever the probes. */
type FixedKind = 'accuracy' | 'loss' | VariedKind | 'robustness';
/**
 * The varied parameter's chart (final test accuracy against its constant values), named after its CSV column so
 * its file keeps the name committed folders have (`sigma-<model>.svg`; results/varied.ts).
 */
type VariedKind = typeof VARIED_COLUMN;
/** The charts of findings-charts.ts: per-layer differences, the variant gaps and the per-seed strips. */
type FindingsKind = 'layers' | 'variant_gap' | 'seeds';

export interface Chart {
  /** File stem in plots/ and element id in report.html, e.g. `accuracy-mlp`. */
  id: string;
  kind: ChartKind;
  /** The model label; '' for a chart across the folder's models. */
  model: string;
  title: string;
  /** How the plotted quantity is measured, one or two sentences for the report. */
  note: string;
  spec: TopLevelSpec;
}

export interface ReportRows {
  summary: Row[];
  epochs: Row[];
  /** robustness.csv (run_id,noise,test_acc); empty when the file does not exist. */
  robustness: Row[];
}

/** One point of a line: mean, min and max over the runs (seeds) of a setting at `x`. */
export interface SeriesPoint {
  setting: string;
  x: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

/** Tableau 10 then Tableau 20 (Vega's schemes of the same names): categorical, colour-blind-aware order. */
const TABLEAU10 = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];
const TABLEAU20 = [
  '#4c78a8',
  '#9ecae9',
  '#f58518',
  '#ffbf79',
  '#54a24b',
  '#88d27a',
  '#b79a20',
  '#f2cf5b',
  '#439894',
  '#83bcb6',
  '#e45756',
  '#ff9d98',
  '#79706e',
  '#bab0ac',
  '#d67195',
  '#fcbfd2',
  '#b279a2',
  '#d6a5c9',
  '#9e765f',
  '#d8b5a5',
];
/** The colour of the varied parameter's curve (the other settings keep theirs). */
const CURVE_COLOR = '#222222';

/** Chart styling: the generic `sans-serif` family last, so the SVG renders anywhere. */
export const CHART_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#eeeeee', titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, symbolOpacity: 1, symbolStrokeWidth: 2 },
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#555555', anchor: 'start' as const, offset: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** A number from a CSV cell; null for an empty or non-finite cell (`Number('')` would be 0). */
export function cellNumber(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * A percentage axis whose tick labels are all distinct: as many decimals as the data's span needs (about five ticks
 * across it), and ticks never closer than one step of the last decimal, so two ticks cannot print the same label.
 */
export function pctAxis(values: number[]): { format: string; tickMinStep: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  const span = finite.length > 0 ? Math.max(...finite) - Math.min(...finite) : 0;
  const decimals = span > 0 ? Math.min(3, Math.max(0, Math.ceil(-Math.log10((100 * span) / 5)))) : 1;
  return { format: `.${decimals}%`, tickMinStep: 10 ** -(decimals + 2) };
}

/** Completed runs by id, with their model and setting, from summary.csv rows. */
export function completedRuns(summary: Row[]): Map<string, Row & { setting: string }> {
  return new Map(
    summary.filter((r) => r.status === 'completed').map((r) => [r.run_id, { ...r, setting: settingOf(r) }]),
  );
}

/**
 * Every setting, in the comparison table's order (activation order, then the varied value). The settings of
 * all models are ranked together so that colours agree between models.
 */
export function settingOrder(rows: Row[]): string[] {
  const settings = new Map(
    rows.map((r) => [settingOf(r), { activation: r.activation, varied: variedOf(r), setting: settingOf(r) }]),
  );
  return [...settings.values()].sort(compareSettings).map((s) => s.setting);
}

/** Setting -> colour, stable for a given set of settings. */
export function settingColors(settings: string[]): Map<string, string> {
  const palette = settings.length <= TABLEAU10.length ? TABLEAU10 : TABLEAU20;
  return new Map(settings.map((s, i) => [s, palette[i % palette.length]]));
}

function stats(values: number[]): { mean: number; min: number; max: number; n: number } {
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    n: values.length,
  };
}

/**
 * Mean, min and max of `yField` over runs at each value of `xField`, per setting. Rows whose run
 * is not in `runs` or whose cells are empty are left out.
 */
export function aggregateSeries(
  rows: Row[],
  runs: Map<string, { setting: string }>,
  xField: string,
  yField: string,
): SeriesPoint[] {
  const groups = new Map<string, { setting: string; x: number; ys: number[] }>();
  for (const row of rows) {
    const run = runs.get(row.run_id);
    const x = cellNumber(row[xField]);
    const y = cellNumber(row[yField]);
    if (!run || x === null || y === null) continue;
    const key = `${run.setting}\u0000${x}`;
    const group = groups.get(key) ?? { setting: run.setting, x, ys: [] };
    group.ys.push(y);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => ({ setting: g.setting, x: g.x, ...stats(g.ys) })).sort((a, b) => a.x - b.x);
}

function colorEncoding(domain: string[], colors: Map<string, string>, extra?: { label: string; color: string }) {
  return {
    field: 'setting',
    type: 'nominal' as const,
    title: 'setting',
    sort: extra ? [...domain, extra.label] : domain,
    scale: {
      domain: extra ? [...domain, extra.label] : domain,
      range: [...domain.map((s) => colors.get(s) ?? '#888888'), ...(extra ? [extra.color] : [])],
    },
  };
}

interface LineBandOptions {
  title: string;
  subtitle: string | string[];
  points: SeriesPoint[];
  xTitle: string;
  yTitle: string;
  /** A percentage axis (`pctAxis`); otherwise Vega's own number format. */
  pct?: boolean;
  integerX?: boolean;
  yZero?: boolean;
  colors: Map<string, string>;
}

/** A line per setting (mean) over a min-max band, with a point at each x. */
function lineBandSpec(o: LineBandOptions): TopLevelSpec {
  const domain = [...o.colors.keys()].filter((s) => o.points.some((p) => p.setting === s));
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: o.xTitle,
    axis: o.integerX ? { format: 'd', tickMinStep: 1 } : {},
    scale: o.integerX ? { nice: false } : {},
  };
  const axis = o.pct ? pctAxis(o.points.flatMap((p) => [p.min, p.max])) : {};
  const color = colorEncoding(domain, o.colors);
  return {
    title: { text: o.title, subtitle: o.subtitle },
    width: 340,
    height: 230,
    data: { values: o.points },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: {
          x,
          y: { field: 'min', type: 'quantitative', title: o.yTitle, axis, scale: { zero: o.yZero ?? false } },
          y2: { field: 'max' },
          color,
        },
      },
      {
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: o.yTitle, axis, scale: { zero: o.yZero ?? false } },
          color,
        },
      },
    ],
    config: CHART_CONFIG,
  };
}

function lossSpec(
  model: string,
  points: (SeriesPoint & { split: string })[],
  colors: Map<string, string>,
): TopLevelSpec {
  const domain = [...colors.keys()].filter((s) => points.some((p) => p.setting === s));
  const logScale = points.length > 0 && points.every((p) => p.min > 0);
  const y = {
    type: 'quantitative' as const,
    title: `cross-entropy loss${logScale ? ' (log scale)' : ''}`,
    scale: logScale ? { type: 'log' as const, nice: false, padding: 8 } : { zero: false },
  };
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: 'epoch',
    axis: { format: 'd', tickMinStep: 1 },
    scale: { nice: false },
  };
  const color = colorEncoding(domain, colors);
  return {
    title: {
      text: `Train and test loss per epoch (${model.toUpperCase()})`,
      subtitle: 'mean over seeds; band: min-max over seeds',
    },
    data: { values: points },
    facet: { column: { field: 'split', type: 'nominal', title: null, sort: ['train loss', 'test loss'] } },
    spec: {
      width: 200,
      height: 230,
      layer: [
        {
          mark: { type: 'area', opacity: 0.18 },
          encoding: { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, color },
        },
        { mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y: { ...y, field: 'mean' }, color } },
      ],
    },
    resolve: { scale: { y: 'shared' } },
    config: CHART_CONFIG,
  };
}

/** One point of the varied parameter's curve: a setting with a constant value, its final accuracies over seeds. */
type VariedPoint = SeriesPoint & { value: number };

/**
 * The varied parameter's curve of one model: the settings of one activation with a constant value of its varied
 * parameter (the activation with the most such settings, the first in the comparison's order on a tie), and every
 * other setting as a reference (its mean over seeds). Null when no setting has a constant value.
 */
function variedCurve(runs: (Row & { setting: string })[]): {
  activation: string;
  param: string;
  curve: VariedPoint[];
  references: { setting: string; mean: number }[];
} | null {
  const bySetting = new Map<string, (Row & { setting: string })[]>();
  for (const r of runs) bySetting.set(r.setting, [...(bySetting.get(r.setting) ?? []), r]);
  const groups = [...bySetting.values()].filter((g) => g.some((r) => cellNumber(r.final_test_acc) !== null));
  const constant = (g: Row[]): boolean => variedOf(g[0])?.schedule === 'constant';
  const count = (activation: string): number =>
    groups.filter((g) => constant(g) && g[0].activation === activation).length;
  const candidates = groups
    .filter(constant)
    .map((g) => ({ activation: g[0].activation, varied: variedOf(g[0]), setting: g[0].setting }))
    .sort((a, b) => count(b.activation) - count(a.activation) || compareSettings(a, b));
  if (candidates.length === 0) return null;
  const { activation } = candidates[0];
  const param = candidates[0].varied?.param ?? '';
  const curve: VariedPoint[] = [];
  const references: { setting: string; mean: number }[] = [];
  for (const group of groups) {
    const s = stats(group.map((r) => cellNumber(r.final_test_acc)).filter((v): v is number => v !== null));
    const varied = variedOf(group[0]);
    if (group[0].activation === activation && varied?.param === param && varied.schedule === 'constant') {
      curve.push({ setting: '', x: varied.start, value: varied.start, ...s });
    } else references.push({ setting: group[0].setting, mean: s.mean });
  }
  return { activation, param, curve: curve.sort((a, b) => a.x - b.x), references };
}

/** How charts name an activation: its descriptor's title (`N-ReLU`), else its name. */
const activationTitle = (name: string): string => findActivation(name)?.title ?? name;

/** The varied parameter's chart: final test accuracy against its constant values, other settings as rules. */
function variedSpec(
  model: string,
  found: NonNullable<ReturnType<typeof variedCurve>>,
  colors: Map<string, string>,
): TopLevelSpec {
  const { param, references } = found;
  const title = activationTitle(found.activation);
  const label = `${title} (${param} on x axis)`;
  const curve = found.curve.map((p) => ({ ...p, setting: label }));
  const domain = [...colors.keys()].filter((s) => references.some((r) => r.setting === s));
  const color = colorEncoding(domain, colors, { label, color: CURVE_COLOR });
  // the y domain covers every bar and reference rule, with a little room, so nothing runs outside the plot
  const ys = [...curve.flatMap((p) => [p.min, p.max]), ...references.map((r) => r.mean)];
  const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
  const pad = Math.max((hi - lo) * 0.05, 0.0005);
  const y = {
    type: 'quantitative' as const,
    title: 'final test accuracy',
    axis: pctAxis([lo - pad, hi + pad]),
    scale: { zero: false, domain: [lo - pad, hi + pad], nice: false },
  };
  // from 0 to a little past the largest value, so its error bar is off the frame
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: `${param} (${title}, constant over training)`,
    scale: { domainMin: 0, domainMax: 1.08 * curve[curve.length - 1].x, nice: false },
  };
  return {
    title: {
      text: `Final test accuracy against ${param} (${model.toUpperCase()})`,
      subtitle: [
        `${title} with constant ${param}: mean over seeds, bar min-max`,
        'dashed rules: the other settings (mean over seeds)',
      ],
    },
    width: 340,
    height: 230,
    layer: [
      {
        data: { values: references },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5, clip: true },
        encoding: { y: { ...y, field: 'mean' }, color },
      },
      {
        data: { values: curve },
        mark: { type: 'rule', strokeWidth: 1.5, clip: true },
        encoding: { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, color },
      },
      {
        data: { values: curve },
        mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2, clip: true },
        encoding: { x, y: { ...y, field: 'mean' }, color },
      },
    ],
    config: CHART_CONFIG,
  };
}

/** The varied parameter's chart's note. */
function variedNote(activation: string, param: string): string {
  const title = activationTitle(activation);
  return (
    `Test accuracy after the last epoch of each ${title} run with a constant ${param}, against ${param}; ` +
    `${title} with a ${param} schedule and the other settings are shown as their mean over seeds.`
  );
}

const NOTES: Record<Exclude<FixedKind, VariedKind>, string> = {
  accuracy: `${DEFINITIONS.accuracy}, measured after each epoch. Line: mean over seeds; band: min to max over seeds.`,
  loss:
    `${DEFINITIONS.loss}. Train: mean over the epoch's mini-batches in training mode (noise on, ` +
    `weights still changing). Test: over the whole test split in inference mode after the epoch.`,
  robustness: `${DEFINITIONS.robustness}, for each trained model. Mean over seeds; band: min to max.`,
};

function unitsLabel(runs: Row[]): string {
  const units = [...new Set(runs.map((r) => cellNumber(r.units)).filter((u): u is number => u !== null))];
  return units.length === 1 ? ` of ${units[0]} hidden units` : '';
}

/** A registry column's per-epoch chart of one model (columns.ts `chart`); null without points. */
function registryChartSpec(
  model: string,
  chart: EpochChart,
  points: SeriesPoint[],
  epochs: Row[],
  colors: Map<string, string>,
): TopLevelSpec | null {
  if (points.length === 0) return null;
  const units = chart.format === undefined || chart.format === 'units';
  return lineBandSpec({
    title: `${chart.title} (${model.toUpperCase()})`,
    subtitle: [chart.subtitle, 'mean over seeds; band: min-max over seeds'],
    points,
    xTitle: 'epoch',
    yTitle: units ? `${chart.yTitle}${unitsLabel(epochs)}` : chart.yTitle,
    pct: chart.format === 'pct',
    integerX: true,
    yZero: true,
    colors,
  });
}

/**
 * Every chart of a result folder, model by model: accuracy, loss, the varied parameter's, dead, gradient-dead, dormant, zero output,
 * robustness.
 */
export function buildCharts(rows: ReportRows): Chart[] {
  const runs = completedRuns(rows.summary);
  const colors = settingColors(settingOrder(rows.summary));
  const models = [...new Set(rows.summary.map((r) => r.model))].sort();
  const charts: Chart[] = [];
  const add = (
    kind: Exclude<ChartKind, 'paired' | FindingsKind>,
    model: string,
    spec: TopLevelSpec | null,
    note?: string,
  ): void => {
    if (!spec) return;
    const title = typeof spec.title === 'object' && spec.title && 'text' in spec.title ? String(spec.title.text) : kind;
    const text = note ?? NOTES[kind as keyof typeof NOTES];
    charts.push({ id: `${kind}-${model.replace(/[^A-Za-z0-9_-]/g, '_')}`, kind, model, title, note: text, spec });
  };
  for (const model of models) {
    const mine = new Map([...runs].filter(([, r]) => r.model === model));
    if (mine.size === 0) continue;
    const epochs = rows.epochs.filter((r) => mine.has(r.run_id));
    const M = model.toUpperCase();
    const seedNote = 'mean over seeds; band: min-max over seeds';
    const accuracy = aggregateSeries(epochs, mine, 'epoch', 'test_acc');
    add(
      'accuracy',
      model,
      accuracy.length
        ? lineBandSpec({
            title: `Test accuracy per epoch (${M})`,
            subtitle: seedNote,
            points: accuracy,
            xTitle: 'epoch',
            yTitle: 'test accuracy',
            pct: true,
            integerX: true,
            colors,
          })
        : null,
    );
    const loss = [
      ...aggregateSeries(epochs, mine, 'epoch', 'train_loss').map((p) => ({ ...p, split: 'train loss' })),
      ...aggregateSeries(epochs, mine, 'epoch', 'test_loss').map((p) => ({ ...p, split: 'test loss' })),
    ];
    add('loss', model, loss.length ? lossSpec(model, loss, colors) : null);
    const varied = variedCurve([...mine.values()]);
    if (varied)
      add(VARIED_COLUMN, model, variedSpec(model, varied, colors), variedNote(varied.activation, varied.param));
    for (const { column, chart } of epochCharts()) {
      add(
        chart.kind,
        model,
        registryChartSpec(model, chart, aggregateSeries(epochs, mine, 'epoch', column), epochs, colors),
        chart.note,
      );
    }
    const robustness = aggregateSeries(rows.robustness, mine, 'noise', 'test_acc');
    add(
      'robustness',
      model,
      robustness.length
        ? lineBandSpec({
            title: `Test accuracy under Gaussian input noise (${M})`,
            subtitle: seedNote,
            points: robustness,
            xTitle: 'input noise standard deviation',
            yTitle: 'test accuracy',
            pct: true,
            colors,
          })
        : null,
    );
  }
  return charts;
}
