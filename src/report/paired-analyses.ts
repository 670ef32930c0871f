/**
 * Paired analyses beyond the comparison table (`nrelu-bench stats`), with the table's tests (stats/paired.ts):
 *
 * - against baselines: the table pairs every setting with one baseline (config `compare.baseline`); a claim against
 *   several (the paper's claim 1: N-ReLU against every baseline) pairs each setting of one activation with each of
 *   them by seed, Holm-adjusted over the whole family of one model (`pairedVsBaselines`);
 * - gap contrast: does an architectural change remove a setting's gap to the baseline? The gap (setting − baseline,
 *   per seed) in every model of a folder, and each model's gap paired by seed with a reference model's: a difference
 *   in differences, Holm-adjusted over the models contrasted (`gapContrasts`).
 *
 * Accuracy is compared in percentage points with the equivalence test at the folder's margin; another summary.csv
 * column (`metric`: a unit count, a share) in its own units, without the equivalence test and verdict. Only completed
 * runs count, and a run with an empty cell does not pair.
 */
import { holm, pairedTest, verdictLabel, verdictOf, type BySeed, type PairedResult } from '../stats/paired.js';
import type { Row } from '../results/files.js';
import { settingOf } from '../results/pooling.js';
import { VARIED_COLUMN, variedOf } from '../results/varied.js';
import { UsageError } from '../errors.js';
import { findActivation } from '../activations/registry.js';
import { compareSettings } from './comparison.js';

/** The metric both analyses compare unless told otherwise. */
export const ACCURACY = 'final_test_acc';

/** A metric column of `rows` by seed; empty and non-finite cells are left out. */
export function bySeed(rows: Row[], metric: string): BySeed {
  const filled = rows.filter((r) => (r[metric] ?? '').trim() !== '' && Number.isFinite(Number(r[metric])));
  return new Map(filled.map((r) => [Number(r.seed), Number(r[metric])]));
}

/** A p-value for the tables: three decimals, and `< 0.001` below that (not a bare 0.000). */
export const pv = (x: number | null): string => (x === null ? '–' : x < 0.001 ? '< 0.001' : x.toFixed(3));

/** A signed number of another metric: three significant digits, or `decimals` fixed decimals. */
export const signedIn =
  (decimals?: number) =>
  (x: number): string =>
    Number.isNaN(x)
      ? '–'
      : decimals === undefined
        ? `${x >= 0 ? '+' : ''}${Number(x.toPrecision(3))}`
        : `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(decimals)}`;

/** A fraction as signed percentage points with two decimals. */
const pp = (x: number): string => (Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`);

/** How the tables name an activation: its descriptor's title (`N-ReLU`), else its name. */
const titleOf = (activation: string): string => findActivation(activation)?.title ?? activation;

export interface BaselinesOptions {
  /** The activation whose settings are paired, e.g. `nrelu`. */
  activation: string;
  /** Its varied parameter's values to keep, as summary.csv labels them (`0.1`, `0.2->0:cosine`); all when empty. */
  values?: readonly string[];
  /**
   * The settings to pair with: a setting of the same model, or `model:setting` for another model's (e.g.
   * `cnn-poolfirst:relu`, which trains bit for bit as the max-pool CNN's ReLU). Default: every setting of another
   * activation in the model, in the comparison's order.
   */
  against?: readonly string[];
  /** The equivalence margin in percentage points, as `compare.margin`. */
  marginPp: number;
  metric?: string;
  /** Keep one model's family only. */
  model?: string;
}

export interface BaselineRow {
  model: string;
  /** The paired setting of the activation, and its varied parameter's value and name ('' without one). */
  setting: string;
  value: string;
  param: string;
  baseline: string;
  n: number;
  meanDiff: number;
  ciLow: number;
  ciHigh: number;
  p: number | null;
  pHolm: number | null;
  /** TOST p-value, and Holm-adjusted over the same family (the verdict's equivalence rule). */
  tostP: number | null;
  tostPHolm: number | null;
  verdict: string;
}

/** The runs of `baseline` for `model`: a setting of the same model, or `other-model:setting`. */
function baselineRuns(done: Row[], model: string, baseline: string): Row[] {
  const at = baseline.indexOf(':');
  const [fromModel, setting] = at > 0 ? [baseline.slice(0, at), baseline.slice(at + 1)] : [model, baseline];
  return done.filter((r) => r.model === fromModel && settingOf(r) === setting);
}

/** The settings of `rows` in the comparison's order (activation order, then the varied value). */
function orderedSettings(rows: Row[]): Row[] {
  const first = [...new Map(rows.map((r) => [settingOf(r), r])).values()];
  const key = (r: Row) => ({ activation: r.activation, varied: variedOf(r), setting: settingOf(r) });
  return first.sort((a, b) => compareSettings(key(a), key(b)));
}

/** One model's settings of the studied activation, kept by `values`, in the order of their values. */
function studied(mine: Row[], o: BaselinesOptions): Row[] {
  const values = o.values ?? [];
  const value = (r: Row): string => r[VARIED_COLUMN] ?? '';
  return [...new Map(mine.filter((r) => r.activation === o.activation).map((r) => [settingOf(r), r])).values()]
    .filter((r) => values.length === 0 || values.some((x) => x === value(r) || Number(x) === Number(value(r))))
    .sort((a, b) => Number(value(a)) - Number(value(b)) || value(a).localeCompare(value(b)));
}

/** One model's family: each studied setting minus each baseline, Holm-adjusted together. */
function modelFamily(done: Row[], model: string, o: BaselinesOptions): BaselineRow[] {
  const metric = o.metric ?? ACCURACY;
  const mine = done.filter((r) => r.model === model);
  const against = o.against ?? orderedSettings(mine.filter((r) => r.activation !== o.activation)).map(settingOf);
  const family: BaselineRow[] = [];
  const tests: PairedResult[] = [];
  for (const first of studied(mine, o)) {
    const setting = settingOf(first);
    const here = bySeed(
      mine.filter((r) => settingOf(r) === setting),
      metric,
    );
    for (const baseline of against) {
      const ref = baselineRuns(done, model, baseline);
      if (ref.length === 0 || setting === baseline) continue;
      const t = pairedTest(here, bySeed(ref, metric), o.marginPp / 100);
      tests.push(t);
      const varied = variedOf(first);
      family.push({
        ...{ model, setting, value: first[VARIED_COLUMN] ?? '', param: varied?.param ?? '', baseline, n: t.n },
        ...{ meanDiff: t.meanDiff, ciLow: t.ciLow, ciHigh: t.ciHigh, p: t.p, pHolm: null },
        ...{ tostP: t.tostP, tostPHolm: null, verdict: '' },
      });
    }
  }
  const adjusted = holm(family.map((f) => f.p));
  const tostAdjusted = holm(family.map((f) => f.tostP));
  family.forEach((f, i) => {
    f.pHolm = adjusted[i];
    f.tostPHolm = tostAdjusted[i];
    if (metric !== ACCURACY) [f.tostP, f.tostPHolm] = [null, null];
    else f.verdict = verdictLabel(verdictOf(tests[i], f.pHolm, f.tostPHolm), o.marginPp);
  });
  return family;
}

/** Rows of one summary.csv → each setting of the activation minus each baseline, per model (its own family). */
export function pairedVsBaselines(summary: Row[], o: BaselinesOptions): BaselineRow[] {
  const done = summary.filter((r) => r.status === 'completed');
  const models = [...new Set(done.map((r) => r.model))].filter((m) => o.model === undefined || m === o.model);
  return models.flatMap((model) => modelFamily(done, model, o));
}

const tests = (n: number): string => `${n} test${n === 1 ? '' : 's'}`;

/** One Markdown table per model; `activation` titles it, `decimals` fixes another metric's decimals. */
export function baselinesMarkdown(
  rows: BaselineRow[],
  o: { activation: string; metric?: string; decimals?: number },
): string {
  const metric = o.metric ?? ACCURACY;
  const signed = signedIn(o.decimals);
  const title = titleOf(o.activation);
  const lines: string[] = [];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const family = rows.filter((r) => r.model === model);
    const what = metric === ACCURACY ? '' : ` in ${metric}`;
    const head = `| ${title} ${family[0].param || 'setting'} | baseline | n |`;
    const first = (r: BaselineRow): string => `| ${r.value || r.setting} | ${r.baseline} | ${r.n} |`;
    const count = tests(family.filter((r) => r.p !== null).length);
    lines.push(`### ${model.toUpperCase()}: ${title} − baseline${what}, paired by seed (Holm over ${count})`, '');
    if (metric !== ACCURACY) {
      lines.push(`${head} paired Δ [95% CI] | paired p | Holm p |`, '|---|---|---:|---|---:|---:|');
      for (const r of family) {
        const ci = `${signed(r.meanDiff)} [${signed(r.ciLow)}, ${signed(r.ciHigh)}]`;
        lines.push(`${first(r)} ${ci} | ${pv(r.p)} | ${pv(r.pHolm)} |`);
      }
    } else {
      lines.push(
        `${head} paired Δ (pp) [95% CI] | paired p | Holm p | TOST Holm p | verdict |`,
        '|---|---|---:|---|---:|---:|---:|---|',
      );
      for (const r of family) {
        const ci = `${pp(r.meanDiff)} [${pp(r.ciLow)}, ${pp(r.ciHigh)}]`;
        lines.push(`${first(r)} ${ci} | ${pv(r.p)} | ${pv(r.pHolm)} | ${pv(r.tostPHolm)} | ${r.verdict} |`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

export interface GapOptions {
  /** The setting whose gap is measured, and the setting it is measured from (config `compare.baseline`). */
  setting: string;
  baseline: string;
  /** The model every other model's gap is contrasted with. */
  reference: string;
  /** The equivalence margin of the gap's TOST in percentage points (accuracy only). */
  marginPp: number;
  metric?: string;
}

export interface GapRow {
  model: string;
  /** setting − baseline within the model. */
  gap: PairedResult;
  /** This model's gap − the reference model's, by seed (null for the reference itself). */
  contrast: PairedResult | null;
  contrastPHolm: number | null;
}

/** setting − baseline per seed, for the seeds that have both. */
function gapBySeed(rows: Row[], model: string, o: GapOptions): BySeed {
  const of = (name: string): BySeed =>
    bySeed(
      rows.filter((r) => r.model === model && settingOf(r) === name),
      o.metric ?? ACCURACY,
    );
  const [here, ref] = [of(o.setting), of(o.baseline)];
  return new Map([...here].filter(([s]) => ref.has(s)).map(([s, v]) => [s, v - (ref.get(s) as number)]));
}

/**
 * Rows of one summary.csv → the gap of `setting` to `baseline` in every model that has both, and each model's gap
 * contrasted with the reference model's. A reference without both settings is a UsageError naming the models that
 * have them.
 */
export function gapContrasts(summary: Row[], o: GapOptions): GapRow[] {
  const metric = o.metric ?? ACCURACY;
  const done = summary.filter((r) => r.status === 'completed');
  const has = (m: string, setting: string): boolean => done.some((r) => r.model === m && settingOf(r) === setting);
  const models = [...new Set(done.map((r) => r.model))].filter((m) => has(m, o.setting) && has(m, o.baseline));
  if (!models.includes(o.reference)) {
    throw new UsageError(`the reference model ${o.reference} has no completed ${o.setting} and ${o.baseline} runs`, {
      hint: models.length > 0 ? `models that have both: ${models.join(', ')}` : 'no model of the folder has both',
    });
  }
  const margin = metric === ACCURACY ? o.marginPp / 100 : 0;
  const zero = (gap: BySeed): BySeed => new Map([...gap].map(([s]) => [s, 0]));
  const referenceGap = gapBySeed(done, o.reference, o);
  const rows: GapRow[] = [o.reference, ...models.filter((m) => m !== o.reference)].map((model) => {
    const gap = gapBySeed(done, model, o);
    const gapTest = pairedTest(gap, zero(gap), margin);
    if (metric !== ACCURACY) gapTest.tostP = null;
    const contrast = model === o.reference ? null : pairedTest(gap, referenceGap, 0);
    if (contrast) contrast.tostP = null;
    return { model, gap: gapTest, contrast, contrastPHolm: null };
  });
  const contrasted = rows.filter((r) => r.contrast !== null);
  holm(contrasted.map((r) => (r.contrast as PairedResult).p)).forEach((p, i) => (contrasted[i].contrastPHolm = p));
  return rows;
}

/** The gap table: per model its gap (and, for accuracy, its TOST p) and its contrast with the reference's. */
export function gapMarkdown(rows: GapRow[], o: GapOptions & { decimals?: number }): string {
  const metric = o.metric ?? ACCURACY;
  const accuracy = metric === ACCURACY;
  const other = signedIn(o.decimals);
  const f = (x: number): string => (Number.isNaN(x) ? '–' : accuracy ? pp(x) : other(x));
  const ci = (t: PairedResult): string => `${f(t.meanDiff)} [${f(t.ciLow)}, ${f(t.ciHigh)}]`;
  const unit = accuracy ? 'pp' : metric;
  const gap = `${o.setting} − ${o.baseline}`;
  const ref = o.reference;
  return [
    `${gap} per model (${unit}), and each model's gap − ${ref}'s, paired by seed (Holm over ${rows.length - 1})`,
    '',
    `| model | n | ${gap} [95% CI] | paired p |${accuracy ? ' TOST p |' : ''} gap − ${ref}'s [95% CI] | n ` +
      '| paired p | Holm p |',
    `|---|---:|---|---:|${accuracy ? '---:|' : ''}---|---:|---:|---:|`,
    ...rows.map((r) => {
      const c = r.contrast;
      const tail = c ? `${ci(c)} | ${c.n} | ${pv(c.p)} | ${pv(r.contrastPHolm)}` : '– | – | – | –';
      return `| ${r.model} | ${r.gap.n} | ${ci(r.gap)} | ${pv(r.gap.p)} |${accuracy ? ` ${pv(r.gap.tostP)} |` : ''} ${tail} |`;
    }),
    '',
  ].join('\n');
}
