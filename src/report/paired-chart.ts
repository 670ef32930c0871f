/**
 * The paired-difference chart of the report: per model, one row per setting, its mean paired
 * difference from the baseline (config `compare.baseline`) in final test accuracy (same seed) with the 95% t-interval, a line at zero
 * and the ±margin band of the equivalence test. The row label carries the verdict.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, type Chart } from './charts.js';
import { baselineTitle, type ComparisonRow } from './comparison.js';
import { verdictLabel } from '../stats/paired.js';

export interface PairedPoint {
  setting: string;
  /** `nrelu-s0.1 · equivalent (±0.2)`: the y-axis label. */
  label: string;
  /** Percentage points. */
  mean: number;
  /** 95% interval in percentage points; null below two pairs. */
  low: number | null;
  high: number | null;
  pairs: number;
}

/** The chart's note; `b` names the baseline (`ReLU`). */
export function pairedNote(b: string): string {
  return (
    `For each seed, this setting's final test accuracy minus ${b}'s ` +
    'with the same seed (same initial weights and batch order); ' +
    'dot: mean over seeds, bar: its 95% Student-t interval, in ' +
    'percentage points. The shaded band is ±margin (compare.margin): ' +
    '"equivalent" means the Holm-adjusted TOST rejects a difference beyond ' +
    'it, "better"/"worse" that the Holm-adjusted paired t-test rejects 0.'
  );
}

/** The chart's points, in table order; settings without a pair are left out. */
export function pairedPoints(rows: ComparisonRow[]): PairedPoint[] {
  return rows.flatMap((r) => {
    const p = r.paired;
    if (!p || p.n === 0) return [];
    const verdict = r.verdict ? ` · ${verdictLabel(r.verdict, r.marginPp)}` : '';
    // As in the table (pairedCell): noted when either side has seeds the other lacks.
    const pairs = p.onlyHere.length > 0 || p.onlyReference.length > 0 ? ` (${p.n} pair${p.n === 1 ? '' : 's'})` : '';
    const finite = !Number.isNaN(p.ciLow);
    return [
      {
        setting: r.setting,
        label: `${r.setting}${verdict}${pairs}`,
        mean: 100 * p.meanDiff,
        low: finite ? 100 * p.ciLow : null,
        high: finite ? 100 * p.ciHigh : null,
        pairs: p.n,
      },
    ];
  });
}

/** The chart's words; the default names one model's settings. */
export interface PairedText {
  title: string;
  subtitle: string;
  /** How the x axis names the baseline (`ReLU`). */
  baseline: string;
}

/** Rows of `points` (coloured by their `setting`, any label: a setting, or a model for the variant-gap chart). */
export function pairedSpec(
  model: string,
  points: PairedPoint[],
  marginPp: number,
  colors: Map<string, string>,
  text: PairedText,
): TopLevelSpec {
  const labels = points.map((p) => p.label);
  const y = { field: 'label', type: 'nominal' as const, title: null, sort: labels, axis: { labelLimit: 400 } };
  const x = { type: 'quantitative' as const, title: `difference from ${text.baseline} (percentage points)` };
  const domain = points.map((p) => p.setting);
  const color = {
    field: 'setting',
    type: 'nominal' as const,
    legend: null,
    scale: { domain, range: domain.map((s) => colors.get(s) ?? '#888888') },
  };
  return {
    title: { text: text.title, subtitle: text.subtitle },
    width: 420,
    height: { step: 28 },
    layer: [
      {
        data: { values: [{ lo: -marginPp, hi: marginPp }] },
        mark: { type: 'rect', color: '#54a24b', opacity: 0.15 },
        encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' } },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#333333', strokeWidth: 1 },
        encoding: { x: { ...x, field: 'zero' } },
      },
      {
        data: { values: points.filter((p) => p.low !== null) },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { y, x: { ...x, field: 'low' }, x2: { field: 'high' }, color },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: { y, x: { ...x, field: 'mean' }, color },
      },
    ],
    config: CHART_CONFIG,
  };
}

/** One paired chart per model that has a baseline row and at least one paired setting. */
export function pairedCharts(rows: ComparisonRow[], colors: Map<string, string>): Chart[] {
  const models = [...new Set(rows.map((r) => r.model))];
  return models.flatMap((model) => {
    const mine = rows.filter((r) => r.model === model);
    const points = pairedPoints(mine);
    if (points.length === 0) return [];
    const baseline = baselineTitle(mine[0].baseline);
    const title = `Paired difference from ${baseline} (${model.toUpperCase()})`;
    const subtitle = `final test accuracy, same seed; band: ±${mine[0].marginPp} pp margin`;
    const spec = pairedSpec(model, points, mine[0].marginPp, colors, { title, subtitle, baseline });
    return [
      {
        id: `paired-${model.replace(/[^A-Za-z0-9_-]/g, '_')}`,
        kind: 'paired' as const,
        model,
        title,
        note: pairedNote(baseline),
        spec,
      },
    ];
  });
}
