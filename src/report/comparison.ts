/**
 * The comparison: per model, one row per activation setting (and sigma), with test accuracy over
 * seeds (mean ± std, 95% CI, n), the difference from ReLU and Welch's t-test p-value, final loss
 * and dead units, in the style of a paper's results table. comparison.md is for people,
 * comparison.csv carries the same numbers for machines.
 */
import { mean, summarize, welchPValue } from '../metrics/statistics.js';
import type { CellValue, Row } from './files.js';

const ACTIVATION_ORDER = ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu', 'nrelu'];

export const COMPARISON_COLUMNS = [
  'model', 'setting', 'activation', 'sigma', 'n', 'test_acc_mean', 'test_acc_std', 'test_acc_ci95_low', 'test_acc_ci95_high',
  'delta_vs_relu', 'p_vs_relu', 'final_test_loss_mean', 'dead_mean', 'dormant_mean', 'zero_output_mean', 'units', 'not_completed',
  'grad_dead_mean', 'grad_zero_fraction_mean',
] as const;

export interface ComparisonRow {
  model: string;
  /** The run id without model and seed, e.g. `nrelu-s0.1`: one row per distinct setting. */
  setting: string;
  activation: string;
  sigma: string;
  n: number;
  accMean: number;
  accStd: number;
  ciLow: number;
  ciHigh: number;
  /** Completed runs' final test accuracies, one per seed (for tests against ReLU). */
  accs: number[];
  deltaVsRelu: number | null;
  pVsRelu: number | null;
  lossMean: number;
  deadMean: number;
  dormantMean: number;
  zeroOutputMean: number;
  /** Gradient probe at the last probed epoch: gradient-dead units, and the fraction of (sample, unit) pairs with zero gradient. */
  gradDeadMean: number;
  gradZeroFractionMean: number;
  /** Mean test accuracy under each input-noise level (robustness.csv), keyed by the level as written. */
  robustness: Map<string, number>;
  units: number;
  /** Runs of this setting that did not complete (diverged or failed): excluded from the statistics. */
  notCompleted: number;
}

/** The run's setting: its id without the `<model>-` prefix and the `-seed<N>` suffix. */
export function settingOf(row: Row): string {
  return row.run_id.replace(new RegExp(`^${row.model}-`), '').replace(/-seed\d+$/, '');
}

/** Activations in the paper's order; N-ReLU rows by sigma (schedules after constants). */
function compareRows(a: ComparisonRow, b: ComparisonRow): number {
  const rank = (r: ComparisonRow): number => {
    const i = ACTIVATION_ORDER.indexOf(r.activation);
    return i < 0 ? ACTIVATION_ORDER.length : i;
  };
  const sigma = (r: ComparisonRow): number => (/^[0-9.e+-]+$/.test(r.sigma) ? Number(r.sigma) : Infinity);
  return rank(a) - rank(b) || sigma(a) - sigma(b) || a.setting.localeCompare(b.setting);
}

/** Mean robustness accuracy per noise level over the completed runs in `ids`. */
function robustnessOf(rows: Row[], ids: Set<string>): Map<string, number> {
  const byLevel = new Map<string, number[]>();
  for (const r of rows) if (ids.has(r.run_id)) byLevel.set(r.noise, [...(byLevel.get(r.noise) ?? []), Number(r.test_acc)]);
  return new Map([...byLevel].sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => [k, mean(v)]));
}

/** Mean of a column over the rows that have it (older folders lack the gradient columns). */
const meanOf = (rows: Row[], column: string): number =>
  mean(rows.filter((r) => r[column] !== '' && r[column] !== undefined).map((r) => Number(r[column])));

/** Groups summary rows by model and setting; only completed runs enter the statistics. */
export function compare(summary: Row[], robustness: Row[] = []): ComparisonRow[] {
  const groups = new Map<string, Row[]>();
  for (const row of summary) {
    const key = `${row.model}\u0000${settingOf(row)}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const rows: ComparisonRow[] = [...groups.values()].map((group) => {
    const done = group.filter((r) => r.status === 'completed');
    const accs = done.map((r) => Number(r.final_test_acc));
    const s = summarize(accs);
    return {
      model: group[0].model, setting: settingOf(group[0]), activation: group[0].activation, sigma: group[0].sigma,
      n: s.n, accMean: s.mean, accStd: s.std, ciLow: s.ciLow, ciHigh: s.ciHigh, accs,
      deltaVsRelu: null, pVsRelu: null,
      lossMean: mean(done.map((r) => Number(r.final_test_loss))),
      deadMean: mean(done.map((r) => Number(r.final_dead))),
      dormantMean: mean(done.filter((r) => r.final_dormant !== '' && r.final_dormant !== undefined).map((r) => Number(r.final_dormant))),
      zeroOutputMean: mean(done.filter((r) => r.final_zero_output !== '' && r.final_zero_output !== undefined).map((r) => Number(r.final_zero_output))),
      gradDeadMean: meanOf(done, 'final_grad_dead'),
      gradZeroFractionMean: meanOf(done, 'final_grad_zero_fraction'),
      robustness: robustnessOf(robustness, new Set(done.map((r) => r.run_id))),
      units: Number(group[0].units),
      notCompleted: group.length - done.length,
    };
  });
  for (const r of rows) {
    const relu = rows.find((o) => o.model === r.model && o.setting === 'relu');
    if (!relu || r === relu || r.n === 0 || relu.n === 0) continue;
    r.deltaVsRelu = r.accMean - relu.accMean;
    r.pVsRelu = welchPValue(r.accs, relu.accs);
  }
  return rows.sort((a, b) => a.model.localeCompare(b.model) || compareRows(a, b));
}

/** The row label: the activation, or the whole setting when it carries non-default parameters. */
function label(r: ComparisonRow): string {
  const plain = r.setting === r.activation || (r.activation === 'nrelu' && /^nrelu-s[^-]+$/.test(r.setting));
  return plain ? r.activation : r.setting;
}

const pct = (v: number): string => (Number.isNaN(v) ? '–' : (100 * v).toFixed(2));
const signedPct = (v: number | null): string => (v === null ? '–' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(2)}`);
const pValue = (p: number | null): string => (p === null ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

/** The Markdown tables, one per model; the best mean accuracy of each model is bold. */
export function renderComparison(rows: ComparisonRow[], title = 'Comparison'): string {
  const out = [`# ${title}`, '',
    'Test accuracy (%) at the last epoch over seeds: mean ± sample std, 95% confidence interval (Student t, n - 1 df) and n.',
    'Δ: difference from ReLU in percentage points; p: Welch\'s t-test against ReLU (two-sided; – below two seeds).',
    'Dead: hidden units whose pre-activation is <= threshold on every probe sample; dormant: normalised mean |activation| <= tau;',
    'zero output: output exactly 0 on every probe sample in training mode (means over seeds / units). Noise σ: test accuracy under',
    'additive Gaussian input noise of that standard deviation. Grad-dead: hidden units whose loss gradient with respect to the',
    'pre-activation is exactly 0 on every gradient-probe sample (training mode); zero grad: % of (sample, unit) pairs with zero gradient.', ''];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const mine = rows.filter((r) => r.model === model);
    const best = Math.max(...mine.filter((r) => r.n > 0).map((r) => r.accMean));
    const levels = [...new Set(mine.flatMap((r) => [...r.robustness.keys()]))].sort((a, b) => Number(a) - Number(b));
    const noiseHeads = levels.map((l) => ` noise σ=${l} (%) |`).join('');
    out.push(`## ${model.toUpperCase()}`, '',
      `| activation | sigma | test acc (%) | 95% CI | n | Δ vs ReLU | p | final test loss | dead | dormant | zero output | grad-dead | zero grad (%) |${noiseHeads}`,
      `|---|---|---|---|---|---|---|---|---|---|---|---|---|${levels.map(() => '---|').join('')}`);
    for (const r of mine) {
      const acc = r.n === 0 ? '–' : `${pct(r.accMean)} ± ${pct(r.accStd)}`;
      const shown = r.n > 0 && r.accMean === best ? `**${acc}**` : acc;
      const ci = Number.isNaN(r.ciLow) ? '–' : `[${pct(r.ciLow)}, ${pct(r.ciHigh)}]`;
      const n = r.notCompleted ? `${r.n} (+${r.notCompleted} not completed)` : String(r.n);
      const loss = Number.isNaN(r.lossMean) ? '–' : r.lossMean.toFixed(4);
      const count = (v: number): string => (Number.isNaN(v) ? '–' : `${Number(v.toFixed(1))} / ${r.units}`);
      const noise = levels.map((l) => ` ${r.robustness.has(l) ? pct(r.robustness.get(l) as number) : '–'} |`).join('');
      out.push(`| ${label(r)} | ${r.sigma || '–'} | ${shown} | ${ci} | ${n} | ${signedPct(r.deltaVsRelu)} | ${pValue(r.pVsRelu)} | ${loss} | ${count(r.deadMean)} | ${count(r.dormantMean)} | ${count(r.zeroOutputMean)} | ${count(r.gradDeadMean)} | ${pct(r.gradZeroFractionMean)} |${noise}`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** comparison.csv rows: the same numbers as the Markdown, unrounded. */
export function comparisonRecords(rows: ComparisonRow[]): Record<string, CellValue>[] {
  const num = (v: number): number | null => (Number.isNaN(v) ? null : v);
  return rows.map((r) => ({
    model: r.model, setting: r.setting, activation: r.activation, sigma: r.sigma, n: r.n,
    test_acc_mean: num(r.accMean), test_acc_std: num(r.accStd), test_acc_ci95_low: num(r.ciLow), test_acc_ci95_high: num(r.ciHigh),
    delta_vs_relu: r.deltaVsRelu, p_vs_relu: r.pVsRelu, final_test_loss_mean: num(r.lossMean), dead_mean: num(r.deadMean),
    dormant_mean: num(r.dormantMean), zero_output_mean: num(r.zeroOutputMean),
    units: num(r.units), not_completed: r.notCompleted,
    grad_dead_mean: num(r.gradDeadMean), grad_zero_fraction_mean: num(r.gradZeroFractionMean),
    ...Object.fromEntries([...r.robustness].map(([level, acc]) => [`noise_${level}_test_acc`, acc])),
  }));
}

/** comparison.csv's columns: the fixed ones, then one per input-noise level present. */
export function comparisonColumns(rows: ComparisonRow[]): string[] {
  const levels = [...new Set(rows.flatMap((r) => [...r.robustness.keys()]))].sort((a, b) => Number(a) - Number(b));
  return [...COMPARISON_COLUMNS, ...levels.map((l) => `noise_${l}_test_acc`)];
}
