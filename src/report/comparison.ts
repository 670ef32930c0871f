/**
 * The comparison: per model, one row per activation setting (and value of its varied parameter), with test accuracy
 * over seeds (mean ± std, 95% CI, n), the difference from the baseline (config `compare.baseline`, ReLU by default)
 * and Welch's t-test p-value, the paired comparison with the baseline by seed (mean difference, 95% t-interval,
 * paired p, Holm-adjusted p over the model's settings, TOST against the margin, verdict), final loss and dead units,
 * in the style of a paper's results table. comparison.md is for people, comparison.csv carries the same numbers for
 * machines (its `*_relu` column names are kept whatever the baseline, so older folders' files keep their bytes).
 */
import { holm, pairedTest, verdictLabel, verdictOf, type PairedResult, type Verdict } from '../stats/paired.js';
import { mean, summarize, welchPValue } from '../stats/statistics.js';
import type { CellValue, Row } from '../results/files.js';
import { settingOf } from '../results/pooling.js';
import { VARIED_COLUMN, variedCell, variedLabel, variedOf, type VariedParam } from '../results/varied.js';
import { comparedMetrics, type ComparedMetric, type Format } from '../results/columns.js';
import { compareSettingsOf } from '../results/manifest.js';
import { activationNames, findActivation } from '../activations/registry.js';
import { countOf, loss, pct, pValue, signedPct, unitsOf } from './format.js';

/**
 * comparison.csv's columns in the order committed folders have them; the means of summary columns the
 * registry compares (columns.ts) and that this list does not name come after, then one per noise level.
 */
const COMPARISON_LAYOUT = [
  'model',
  'setting',
  'activation',
  VARIED_COLUMN,
  'n',
  'test_acc_mean',
  'test_acc_std',
  'test_acc_ci95_low',
  'test_acc_ci95_high',
  'delta_vs_relu',
  'p_vs_relu',
  'paired_n',
  'paired_diff_mean',
  'paired_diff_std',
  'paired_diff_ci95_low',
  'paired_diff_ci95_high',
  'paired_p',
  'paired_p_holm',
  'tost_p',
  'margin',
  'verdict',
  'seeds_without_relu',
  'relu_seeds_without_this',
  'final_test_loss_mean',
  'dead_mean',
  'dormant_mean',
  'zero_output_mean',
  'units',
  'not_completed',
  'grad_dead_mean',
  'grad_zero_fraction_mean',
  'tost_p_holm',
  'primary_verdict',
  'param',
];
export function comparisonBaseColumns(): string[] {
  return [
    ...COMPARISON_LAYOUT,
    ...comparedMetrics()
      .map((m) => m.metric.csv)
      .filter((c) => !COMPARISON_LAYOUT.includes(c)),
  ];
}

/**
 * How prose names the baseline: its activation's title when the setting is the bare activation (`relu` -> `ReLU`),
 * else the setting as written (`leaky_relu-alpha0.1`).
 */
export function baselineTitle(setting: string): string {
  return findActivation(setting)?.title ?? setting;
}

export interface ComparisonRow {
  model: string;
  /** The run id without model and seed, e.g. `nrelu-s0.1`: one row per distinct setting. */
  setting: string;
  activation: string;
  /** The activation's varied parameter (varied.ts), or null. */
  varied: VariedParam | null;
  n: number;
  accMean: number;
  accStd: number;
  ciLow: number;
  ciHigh: number;
  /** The setting every row of this model is compared with (config `compare.baseline`). */
  baseline: string;
  /**
   * True for the primary comparison's setting (config `compare.primary`), named in advance (issue 20). It is one
   * pre-registered test per model, so it is judged on its unadjusted p-values and reported apart from the family;
   * in the family table it is Holm-adjusted like every other setting.
   */
  isPrimary: boolean;
  /** Completed runs' final test accuracies, one per seed (for tests against the baseline). */
  accs: number[];
  /** The seed of each entry of `accs`. */
  seeds: number[];
  deltaVsRelu: number | null;
  pVsRelu: number | null;
  /** The comparison with the baseline paired by seed (null for the baseline itself and models without it). */
  paired: PairedResult | null;
  /** The paired p-value, Holm-adjusted over the settings of this model. */
  pairedPHolm: number | null;
  /** The TOST p-value, Holm-adjusted over the same family. */
  tostPHolm: number | null;
  /** The verdict from the Holm-adjusted p-values (family-wise). */
  verdict: Verdict | null;
  /** The primary comparison's verdict from its unadjusted p-values (the `isPrimary` row only). */
  primaryVerdict: Verdict | null;
  /** The equivalence margin the verdict used, in percentage points. */
  marginPp: number;
  /**
   * Mean over the completed seeds of each summary column the registry compares (columns.ts `compare`:
   * final loss, unit counts at the last probed epoch, ...), keyed by the summary column; NaN when no seed has it.
   */
  means: Record<string, number>;
  /** Mean test accuracy under each input-noise level (robustness.csv), keyed by the level as written. */
  robustness: Map<string, number>;
  units: number;
  /** Runs of this setting that did not complete (diverged or failed): excluded from the statistics. */
  notCompleted: number;
}

/** What orders the comparison's rows: the activation, its varied parameter's value and the setting. */
export type SettingKey = Pick<ComparisonRow, 'activation' | 'varied' | 'setting'>;

/**
 * Activations in the registry's order (the paper's, then user activations); rows of one activation by the varied
 * parameter's value (schedules after constants).
 */
export function compareSettings(a: SettingKey, b: SettingKey): number {
  const order = activationNames();
  const rank = (r: SettingKey): number => {
    const i = order.indexOf(r.activation);
    return i < 0 ? order.length : i;
  };
  const value = (r: SettingKey): number => (r.varied?.schedule === 'constant' ? r.varied.start : Infinity);
  return rank(a) - rank(b) || value(a) - value(b) || a.setting.localeCompare(b.setting);
}

/** Mean robustness accuracy per noise level over the completed runs in `ids`. */
function robustnessOf(rows: Row[], ids: Set<string>): Map<string, number> {
  const byLevel = new Map<string, number[]>();
  for (const r of rows)
    if (ids.has(r.run_id)) byLevel.set(r.noise, [...(byLevel.get(r.noise) ?? []), Number(r.test_acc)]);
  return new Map([...byLevel].sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => [k, mean(v)]));
}

/** Mean of a column over the rows that have it (older folders lack the later columns); NaN when none has it. */
const meanOf = (rows: Row[], column: string): number =>
  mean(rows.filter((r) => r[column] !== '' && r[column] !== undefined).map((r) => Number(r[column])));

/** The compared metrics (columns.ts) a table shows: every required one, an optional one when some row has it. */
export function shownMetrics(rows: ComparisonRow[]): { column: string; metric: ComparedMetric }[] {
  return comparedMetrics().filter(
    ({ column, metric }) => !metric.optional || rows.some((r) => !Number.isNaN(r.means[column])),
  );
}

/** A compared metric's cell: a loss, a unit count out of the row's units, a count, or a percentage. */
export function formatMetric(format: Format, value: number, units: number): string {
  if (format === 'loss') return loss(value);
  if (format === 'count') return countOf(value);
  return format === 'units' ? unitsOf(value, units) : pct(value);
}

/** The config's `compare` block (config/types.ts `CompareSettings`); a key left out takes its default. */
export interface CompareOptions {
  /** Equivalence margin in percentage points (config `compare.margin`; default 0.2). */
  margin?: number;
  /** The setting every other is paired with (config `compare.baseline`; default `relu`). */
  baseline?: string;
  /** The setting of the primary comparison (config `compare.primary`; default `nrelu-s0.1`). */
  primary?: string;
}

/** The baseline's row among one model's rows (each row names its baseline), if the model has one. */
export function baselineRow<R extends Pick<ComparisonRow, 'setting' | 'baseline'>>(rows: R[]): R | undefined {
  return rows.find((r) => r.setting === r.baseline);
}

/**
 * Fills the paired comparison with the baseline, and Holm's adjustment over each model's settings of both the
 * difference test and TOST, so both answers are claimed at the same family-wise error rate.
 */
function addPaired(rows: ComparisonRow[], marginPp: number): void {
  for (const r of rows) r.marginPp = marginPp;
  for (const model of new Set(rows.map((r) => r.model))) {
    const mine = rows.filter((r) => r.model === model);
    const base = baselineRow(mine);
    if (!base) continue;
    const bySeed = (r: ComparisonRow): Map<number, number> => new Map(r.seeds.map((s, i) => [s, r.accs[i]]));
    const others = mine.filter((r) => r !== base);
    for (const r of others) r.paired = pairedTest(bySeed(r), bySeed(base), marginPp / 100);
    const adjusted = holm(others.map((r) => r.paired?.p ?? null));
    const tostAdjusted = holm(others.map((r) => r.paired?.tostP ?? null));
    others.forEach((r, i) => {
      r.pairedPHolm = adjusted[i];
      r.tostPHolm = tostAdjusted[i];
      r.verdict = r.paired ? verdictOf(r.paired, r.pairedPHolm, r.tostPHolm) : null;
      if (r.paired && r.isPrimary) r.primaryVerdict = verdictOf(r.paired, r.paired.p, r.paired.tostP);
    });
  }
}

/** Groups summary rows by model and setting; only completed runs enter the statistics. */
export function compare(summary: Row[], robustness: Row[] = [], options: CompareOptions = {}): ComparisonRow[] {
  const { margin, baseline, primary } = compareSettingsOf(options);
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
      model: group[0].model,
      setting: settingOf(group[0]),
      activation: group[0].activation,
      varied: variedOf(group[0]),
      baseline,
      isPrimary: settingOf(group[0]) === primary,
      n: s.n,
      accMean: s.mean,
      accStd: s.std,
      ciLow: s.ciLow,
      ciHigh: s.ciHigh,
      accs,
      seeds: done.map((r) => Number(r.seed)),
      deltaVsRelu: null,
      pVsRelu: null,
      paired: null,
      pairedPHolm: null,
      tostPHolm: null,
      verdict: null,
      primaryVerdict: null,
      marginPp: NaN,
      means: Object.fromEntries(comparedMetrics().map(({ column }) => [column, meanOf(done, column)])),
      robustness: robustnessOf(robustness, new Set(done.map((r) => r.run_id))),
      units: Number(group[0].units),
      notCompleted: group.length - done.length,
    };
  });
  for (const r of rows) {
    const base = rows.find((o) => o.model === r.model && o.setting === baseline);
    if (!base || r === base || r.n === 0 || base.n === 0) continue;
    r.deltaVsRelu = r.accMean - base.accMean;
    r.pVsRelu = welchPValue(r.accs, base.accs);
  }
  addPaired(rows, margin);
  return rows.sort((a, b) => a.model.localeCompare(b.model) || compareSettings(a, b));
}

/**
 * The row label: the activation, or the whole setting when it carries more than the activation and
 * a constant value of its varied parameter (which the varied column shows): `nrelu` for `nrelu-s0.1`,
 * but `nrelu-s0.2to0-linear`, `leaky_relu-alpha0.1`.
 */
function label(r: ComparisonRow): string {
  const constant = r.varied?.schedule === 'constant';
  const plain =
    r.setting === r.activation ||
    (constant && /^[^-]+$/.test(r.setting.slice(r.activation.length + 1)) && r.setting.startsWith(`${r.activation}-`));
  return plain ? r.activation : r.setting;
}

/** `+0.06 [+0.02, +0.09]` in percentage points, and `(4 pairs)` when fewer seeds paired than either side has. */
export function pairedCell(r: Pick<ComparisonRow, 'paired' | 'n'>, base?: Pick<ComparisonRow, 'n'>): string {
  const p = r.paired;
  if (!p || p.n === 0) return '–';
  const ci = Number.isNaN(p.ciLow) ? '' : ` [${signedPct(p.ciLow)}, ${signedPct(p.ciHigh)}]`;
  const fewer = p.n < r.n || (base !== undefined && p.n < base.n) ? ` (${p.n} pair${p.n === 1 ? '' : 's'})` : '';
  return `${signedPct(p.meanDiff)}${ci}${fewer}`;
}

/** One sentence per setting whose seeds do not all pair with the baseline's, or an empty list. */
export function unpairedNotes(rows: ComparisonRow[]): string[] {
  return rows.flatMap((r) => {
    const p = r.paired;
    if (!p || (p.onlyHere.length === 0 && p.onlyReference.length === 0)) return [];
    const b = baselineTitle(r.baseline);
    const parts = [
      ...(p.onlyHere.length
        ? [
            `seed${p.onlyHere.length > 1 ? 's' : ''} ${p.onlyHere.join(', ')} of ${r.setting} ` +
              `ha${p.onlyHere.length > 1 ? 've' : 's'} no completed ${b} run`,
          ]
        : []),
      ...(p.onlyReference.length
        ? [
            `${b} seed${p.onlyReference.length > 1 ? 's' : ''} ${p.onlyReference.join(', ')} ` +
              `ha${p.onlyReference.length > 1 ? 've' : 's'} no completed ${r.setting} run`,
          ]
        : []),
    ];
    return [
      `${r.model.toUpperCase()} ${r.setting}: ${parts.join('; ')}; the paired columns use the ${p.n} ` +
        `common seed${p.n === 1 ? '' : 's'} only.`,
    ];
  });
}

/** comparison.md's title and the text that defines its columns; `b` names the baseline. */
function comparisonHeader(rows: ComparisonRow[], title: string, b: string): string[] {
  return [
    `# ${title}`,
    '',
    'Test accuracy (%) at the last epoch over seeds: mean ± sample std, 95% confidence interval (Student ' +
      't, n - 1 df) and n.',
    `Δ: difference of the means from ${b} in percentage points; p Welch: Welch's t-test against ${b} ` +
      '(two-sided, unpaired; – below two seeds).',
    `Paired Δ: mean over seeds of (this setting − ${b} with the same seed), pp, with its 95% t-interval; ` +
      `paired p: paired t-test; Holm p: adjusted over the model's settings;`,
    "TOST Holm p: the equivalence test's p (TOST, ±margin; alone it rejects when the 90% interval lies " +
      'inside ±margin), Holm-adjusted over the same settings;',
    `verdict: equivalent (±margin pp) if TOST Holm p < 0.05, else better/worse if Holm p < 0.05, else ` +
      `inconclusive (README, "Statistics").`,
    'Dead: hidden units whose pre-activation is <= threshold on every probe sample; dormant: normalised ' +
      'mean |activation| <= tau;',
    'zero output: output exactly 0 on every probe sample in training mode (means over seeds / units). ' +
      'Noise σ: test accuracy under',
    'additive Gaussian input noise of that standard deviation. Grad-dead: hidden units whose loss gradient ' +
      'with respect to the',
    'pre-activation is exactly 0 on every gradient-probe sample (training mode); zero grad: % of (sample, ' +
      'unit) pairs with zero gradient.',
    // A metric added through the registry says what it is in its own line, shown with its column.
    ...shownMetrics(rows).flatMap(({ metric }) => (metric.mdNote ? [metric.mdNote] : [])),
    '',
  ];
}

/** One model's Markdown table, its notes on unpaired seeds and its primary comparison; `b` names the baseline. */
function modelTable(model: string, mine: ComparisonRow[], b: string): string[] {
  const best = Math.max(...mine.filter((r) => r.n > 0).map((r) => r.accMean));
  const levels = [...new Set(mine.flatMap((r) => [...r.robustness.keys()]))].sort((a, c) => Number(a) - Number(c));
  const noiseHeads = levels.map((l) => ` noise σ=${l} (%) |`).join('');
  const metrics = shownMetrics(mine);
  const metricHeads = metrics.map((m) => ` ${m.metric.md} |`).join('');
  const out = [
    `## ${model.toUpperCase()}`,
    '',
    `| activation | ${VARIED_COLUMN} | test acc (%) | 95% CI | n | Δ vs ${b} | p Welch | paired Δ [95% CI] ` +
      `| paired p | Holm p | TOST Holm p | verdict |${metricHeads}${noiseHeads}`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|` +
      `${metrics.map(() => '---|').join('')}${levels.map(() => '---|').join('')}`,
  ];
  const base = baselineRow(mine);
  for (const r of mine) {
    const acc = r.n === 0 ? '–' : `${pct(r.accMean)} ± ${pct(r.accStd)}`;
    const shown = r.n > 0 && r.accMean === best ? `**${acc}**` : acc;
    const ci = Number.isNaN(r.ciLow) ? '–' : `[${pct(r.ciLow)}, ${pct(r.ciHigh)}]`;
    const n = r.notCompleted ? `${r.n} (+${r.notCompleted} not completed)` : String(r.n);
    const metricCells = metrics
      .map(({ column, metric }) => ` ${formatMetric(metric.format, r.means[column], r.units)} |`)
      .join('');
    const noise = levels
      .map((l) => ` ${r.robustness.has(l) ? pct(r.robustness.get(l) as number) : '–'} ` + '|')
      .join('');
    const verdict = r.verdict ? verdictLabel(r.verdict, r.marginPp) : '–';
    const paired =
      `${pairedCell(r, base)} | ${pValue(r.paired?.p ?? null)} | ${pValue(r.pairedPHolm)} ` +
      `| ${pValue(r.tostPHolm)} | ${verdict}`;
    out.push(
      `| ${label(r)} | ${variedCell(r.varied) || '–'} | ${shown} | ${ci} | ${n} | ${signedPct(r.deltaVsRelu)} ` +
        `| ${pValue(r.pVsRelu)} | ${paired} |${metricCells}${noise}`,
    );
  }
  const notes = unpairedNotes(mine);
  if (notes.length > 0) out.push('', ...notes.map((t) => `Not paired: ${t}`));
  const primary = primaryLine(mine, base);
  if (primary) out.push('', primary);
  out.push('');
  return out;
}

/** The Markdown tables, one per model; the best mean accuracy of each model is bold. */
export function renderComparison(rows: ComparisonRow[], title = 'Comparison'): string {
  const b = baselineTitle(rows[0]?.baseline ?? compareSettingsOf({}).baseline);
  const out = comparisonHeader(rows, title, b);
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    out.push(
      ...modelTable(
        model,
        rows.filter((r) => r.model === model),
        b,
      ),
    );
  }
  return out.join('\n');
}

/** The primary comparison of one model's rows in one sentence, or null when the model has no such row. */
export function primaryLine(rows: ComparisonRow[], base?: ComparisonRow): string | null {
  const r = rows.find((x) => x.isPrimary && x.paired !== null && x.primaryVerdict !== null);
  if (!r?.paired || !r.primaryVerdict) return null;
  return (
    `Primary comparison (${r.setting} − ${r.baseline}, named in advance, unadjusted): ` +
    `paired Δ ${pairedCell(r, base)} pp, ` +
    `paired p ${pValue(r.paired.p)}, TOST p ${pValue(r.paired.tostP)} (±${r.marginPp} pp): ` +
    `${verdictLabel(r.primaryVerdict, r.marginPp)}.`
  );
}

/** comparison.csv rows: the same numbers as the Markdown, unrounded. */
export function comparisonRecords(rows: ComparisonRow[]): Record<string, CellValue>[] {
  const num = (v: number): number | null => (Number.isNaN(v) ? null : v);
  return rows.map((r) => ({
    model: r.model,
    setting: r.setting,
    activation: r.activation,
    [VARIED_COLUMN]: variedLabel(r.varied),
    param: r.varied?.param ?? '',
    n: r.n,
    test_acc_mean: num(r.accMean),
    test_acc_std: num(r.accStd),
    test_acc_ci95_low: num(r.ciLow),
    test_acc_ci95_high: num(r.ciHigh),
    delta_vs_relu: r.deltaVsRelu,
    p_vs_relu: r.pVsRelu,
    paired_n: r.paired ? r.paired.n : null,
    paired_diff_mean: r.paired ? num(r.paired.meanDiff) : null,
    paired_diff_std: r.paired ? num(r.paired.sdDiff) : null,
    paired_diff_ci95_low: r.paired ? num(r.paired.ciLow) : null,
    paired_diff_ci95_high: r.paired ? num(r.paired.ciHigh) : null,
    paired_p: r.paired?.p ?? null,
    paired_p_holm: r.pairedPHolm,
    tost_p: r.paired?.tostP ?? null,
    margin: r.paired ? r.marginPp / 100 : null,
    verdict: r.verdict ? verdictLabel(r.verdict, r.marginPp) : null,
    seeds_without_relu: r.paired ? r.paired.onlyHere.join(' ') : null,
    relu_seeds_without_this: r.paired ? r.paired.onlyReference.join(' ') : null,
    units: num(r.units),
    not_completed: r.notCompleted,
    ...Object.fromEntries(comparedMetrics().map(({ column, metric }) => [metric.csv, num(r.means[column])])),
    tost_p_holm: r.tostPHolm,
    primary_verdict: r.primaryVerdict ? verdictLabel(r.primaryVerdict, r.marginPp) : null,
    ...Object.fromEntries([...r.robustness].map(([level, acc]) => [`noise_${level}_test_acc`, acc])),
  }));
}

/** comparison.csv's columns: the fixed ones, then one per input-noise level present. */
export function comparisonColumns(rows: ComparisonRow[]): string[] {
  const levels = [...new Set(rows.flatMap((r) => [...r.robustness.keys()]))].sort((a, b) => Number(a) - Number(b));
  return [...comparisonBaseColumns(), ...levels.map((l) => `noise_${l}_test_acc`)];
}
