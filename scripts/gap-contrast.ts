/**
 * Does an architectural change remove N-ReLU's gap to ReLU? The comparison table pairs every setting with the ReLU of
 * its own model; this script takes that gap (setting − ReLU, per seed) in every model of a result folder and pairs
 * each model's gap by seed with the reference model's: a difference in differences,
 *   contrast(seed) = [setting − ReLU](model, seed) − [setting − ReLU](reference, seed),
 * with the same paired t-test as the table (src/stats/paired.ts), Holm-adjusted over the models contrasted.
 *
 *   npx tsx scripts/gap-contrast.ts results/mechanism-cnn                 # nrelu-s0.1, reference model cnn
 *   npx tsx scripts/gap-contrast.ts results/mechanism-cnn --metric final_dead [--decimals 1]
 *
 * Per model it prints the gap itself (paired Δ, 95% t-interval, paired p and, for accuracy, the TOST p against the
 * folder's margin: whether the gap is 0 within it) and the contrast with the reference model's gap. A contrast
 * whose interval excludes 0 says the change moved the gap; a gap equivalent to 0 says it closed it. Only completed
 * runs count; a seed pairs only when all four runs of its contrast are there.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { holm, pairedTest, type BySeed, type PairedResult } from '../src/stats/paired.js';
import { readCompareOptions } from '../src/report/compare-options.js';
import { readRowsSync, type Row } from '../src/results/files.js';
import { settingOf } from '../src/results/pooling.js';
import { bySeed, pv, signedIn } from './paired-vs-baselines.js';

const ACCURACY = 'final_test_acc';

export interface GapRow {
  model: string;
  /** setting − ReLU within the model. */
  gap: PairedResult;
  /** This model's gap − the reference model's, by seed (null for the reference itself). */
  contrast: PairedResult | null;
  contrastPHolm: number | null;
}

/** setting − baseline per seed, for the seeds that have both. */
function gapBySeed(rows: Row[], model: string, setting: string, baseline: string, metric: string): BySeed {
  const of = (name: string) =>
    bySeed(
      rows.filter((r) => r.model === model && settingOf(r) === name),
      metric,
    );
  const [here, ref] = [of(setting), of(baseline)];
  return new Map([...here].filter(([s]) => ref.has(s)).map(([s, v]) => [s, v - (ref.get(s) as number)]));
}

/**
 * Rows of one summary.csv → the gap of `setting` to `baseline` in every model that has both, and each model's gap
 * contrasted with `reference`'s. `marginPp`: the equivalence margin of the gap's TOST (accuracy only).
 */
export function gapContrasts(
  summary: Row[],
  options: { setting: string; baseline?: string; reference: string; marginPp: number; metric?: string },
): GapRow[] {
  const metric = options.metric ?? ACCURACY;
  const baseline = options.baseline ?? 'relu';
  const done = summary.filter((r) => r.status === 'completed');
  const models = [...new Set(done.map((r) => r.model))].filter(
    (m) =>
      done.some((r) => r.model === m && settingOf(r) === options.setting) &&
      done.some((r) => r.model === m && settingOf(r) === baseline),
  );
  if (!models.includes(options.reference)) {
    throw new Error(
      `the reference model ${options.reference} has no completed ${options.setting} and ${baseline} runs`,
    );
  }
  const margin = metric === ACCURACY ? options.marginPp / 100 : 0;
  const zero = (gap: BySeed): BySeed => new Map([...gap].map(([s]) => [s, 0]));
  const referenceGap = gapBySeed(done, options.reference, options.setting, baseline, metric);
  const rows: GapRow[] = [options.reference, ...models.filter((m) => m !== options.reference)].map((model) => {
    const gap = gapBySeed(done, model, options.setting, baseline, metric);
    const gapTest = pairedTest(gap, zero(gap), margin);
    if (metric !== ACCURACY) gapTest.tostP = null;
    const contrast = model === options.reference ? null : pairedTest(gap, referenceGap, 0);
    if (contrast) contrast.tostP = null;
    return { model, gap: gapTest, contrast, contrastPHolm: null };
  });
  const contrasted = rows.filter((r) => r.contrast !== null);
  holm(contrasted.map((r) => (r.contrast as PairedResult).p)).forEach((p, i) => (contrasted[i].contrastPHolm = p));
  return rows;
}

export function markdown(
  rows: GapRow[],
  setting: string,
  reference: string,
  metric = ACCURACY,
  decimals?: number,
): string {
  const accuracy = metric === ACCURACY;
  const other = signedIn(decimals);
  const f = (x: number): string =>
    Number.isNaN(x) ? '–' : accuracy ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}` : other(x);
  const ci = (t: PairedResult): string => `${f(t.meanDiff)} [${f(t.ciLow)}, ${f(t.ciHigh)}]`;
  const unit = accuracy ? 'pp' : metric;
  return [
    `${setting} − ReLU per model (${unit}), and each model's gap − ${reference}'s, paired by seed (Holm over ${rows.length - 1})`,
    '',
    `| model | n | ${setting} − ReLU [95% CI] | paired p |${accuracy ? ' TOST p |' : ''} gap − ${reference}'s [95% CI] | n | paired p | Holm p |`,
    `|---|---:|---|---:|${accuracy ? '---:|' : ''}---|---:|---:|---:|`,
    ...rows.map((r) => {
      const c = r.contrast;
      const tail = c ? `${ci(c)} | ${c.n} | ${pv(c.p)} | ${pv(r.contrastPHolm)}` : '– | – | – | –';
      return `| ${r.model} | ${r.gap.n} | ${ci(r.gap)} | ${pv(r.gap.p)} |${accuracy ? ` ${pv(r.gap.tostP)} |` : ''} ${tail} |`;
    }),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    options: {
      setting: { type: 'string', default: 'nrelu-s0.1' },
      baseline: { type: 'string', default: 'relu' },
      reference: { type: 'string', default: 'cnn' },
      metric: { type: 'string', default: ACCURACY },
      decimals: { type: 'string' },
    },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!dir) {
    console.error(
      'usage: tsx scripts/gap-contrast.ts RESULTS_DIR [--setting nrelu-s0.1] [--baseline relu] [--reference cnn] [--metric COLUMN [--decimals D]]',
    );
    process.exit(2);
  }
  const summary = readRowsSync(join(dir, 'summary.csv'));
  if (summary.length > 0 && !(values.metric in summary[0])) {
    console.error(`--metric ${values.metric}: ${dir}/summary.csv has no such column`);
    process.exit(2);
  }
  const marginPp = readCompareOptions(dir).margin;
  try {
    const rows = gapContrasts(summary, { ...values, marginPp });
    const decimals = values.decimals === undefined ? undefined : Number(values.decimals);
    process.stdout.write(markdown(rows, values.setting, values.reference, values.metric, decimals));
  } catch (e) {
    console.error(`gap-contrast: ${(e as Error).message}`);
    process.exit(1);
  }
}
