/**
 * Claim 1 of the paper compares N-ReLU with every baseline, while the comparison table pairs every
 * setting with ReLU only. This script pairs each N-ReLU setting of a result folder with each
 * baseline by seed (same tests as the table: src/stats/paired.ts), Holm-adjusted over the whole
 * family of one model, and prints a markdown table per model.
 *
 *   npx tsx scripts/paired-vs-baselines.ts results/paper-mlp [--sigmas 0.05,0.1]
 *   npx tsx scripts/paired-vs-baselines.ts results/mechanism-mlp --sigmas '0.2->0:cosine' \
 *     --against relu,nrelu-s0.1,nrelu-s0.2
 *
 *   npx tsx scripts/paired-vs-baselines.ts results/mechanism-mlp --sigmas 0.1,0.2 --against relu --metric total_revived
 *
 * `--sigmas` picks N-ReLU settings by their sigma column (a number, or a schedule's `start->end:schedule`);
 * `--against` names the settings to pair with (default: the five baselines), e.g. constant-sigma N-ReLU runs to
 * test an annealed sigma against them, or `model:setting` for a setting of another model of the folder (e.g.
 * `cnn-poolfirst:relu`); `--model` keeps one model's family. `--metric` pairs another summary.csv column instead of final_test_acc (a unit
 * count, a share): the same paired t-test and Holm adjustment, in the column's own units, without the equivalence
 * test and verdict, whose margin is in accuracy points, to three significant digits or `--decimals D` fixed decimals.
 * Runs with an empty cell do not pair.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { holm, pairedTest, verdictLabel, verdictOf, type BySeed } from '../src/stats/paired.js';
import { readCompareOptions } from '../src/report/compare-options.js';
import { readRowsSync, type Row } from '../src/results/files.js';
import { settingOf } from '../src/results/pooling.js';

const BASELINES = ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu'] as const;

export interface BaselineRow {
  model: string;
  sigma: string;
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

const ACCURACY = 'final_test_acc';

/** A metric column of `rows` by seed; empty and non-finite cells are left out. */
export function bySeed(rows: Row[], metric: string): BySeed {
  const filled = rows.filter((r) => (r[metric] ?? '').trim() !== '' && Number.isFinite(Number(r[metric])));
  return new Map(filled.map((r) => [Number(r.seed), Number(r[metric])]));
}

/**
 * The runs of `baseline` for `model`: a setting of the same model, or `other-model:setting`, a setting of another model
 * of the folder (e.g. `cnn-poolfirst:relu`, which trains bit for bit as the max-pool CNN's ReLU and carries columns the
 * merged ReLU runs lack).
 */
function baselineRuns(done: Row[], model: string, baseline: string): Row[] {
  const at = baseline.indexOf(':');
  const [fromModel, setting] = at > 0 ? [baseline.slice(0, at), baseline.slice(at + 1)] : [model, baseline];
  return done.filter((r) => r.model === fromModel && settingOf(r) === setting);
}

/**
 * Rows of one summary.csv → N-ReLU (at the given sigmas, all if empty) minus each baseline, per model.
 * Only completed runs count; settings are told apart by activation and sigma. `marginPp`: the
 * equivalence margin in percentage points, as `compare.margin`.
 */
export function pairedVsBaselines(
  summary: Row[],
  sigmas: string[],
  marginPp: number,
  against: readonly string[] = BASELINES,
  metric = ACCURACY,
  only?: string,
): BaselineRow[] {
  const done = summary.filter((r) => r.status === 'completed');
  const models = [...new Set(done.map((r) => r.model))].filter((m) => only === undefined || m === only);
  const out: BaselineRow[] = [];
  for (const model of models) {
    const mine = done.filter((r) => r.model === model);
    const nreluSigmas = [...new Set(mine.filter((r) => r.activation === 'nrelu').map((r) => r.sigma))]
      .filter((s) => sigmas.length === 0 || sigmas.some((x) => x === s || Number(x) === Number(s)))
      .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    const family: BaselineRow[] = [];
    const tests: ReturnType<typeof pairedTest>[] = [];
    for (const sigma of nreluSigmas) {
      const nrelu = mine.filter((r) => r.activation === 'nrelu' && r.sigma === sigma);
      const here = bySeed(nrelu, metric);
      for (const baseline of against) {
        const ref = baselineRuns(done, model, baseline);
        if (ref.length === 0 || settingOf(nrelu[0]) === baseline) continue;
        const t = pairedTest(here, bySeed(ref, metric), marginPp / 100);
        tests.push(t);
        family.push({
          model,
          sigma,
          baseline,
          n: t.n,
          meanDiff: t.meanDiff,
          ciLow: t.ciLow,
          ciHigh: t.ciHigh,
          p: t.p,
          pHolm: null,
          tostP: t.tostP,
          tostPHolm: null,
          verdict: '',
        });
      }
    }
    const adjusted = holm(family.map((f) => f.p));
    const tostAdjusted = holm(family.map((f) => f.tostP));
    family.forEach((f, i) => {
      f.pHolm = adjusted[i];
      f.tostPHolm = tostAdjusted[i];
      if (metric !== ACCURACY) [f.tostP, f.tostPHolm] = [null, null];
      else f.verdict = verdictLabel(verdictOf(tests[i], f.pHolm, f.tostPHolm), marginPp);
    });
    out.push(...family);
  }
  return out;
}

const pp = (x: number): string => (Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`);
/** A p-value for the tables: three decimals, and `< 0.001` below that (not a bare 0.000). */
export const pv = (x: number | null): string => (x === null ? '–' : x < 0.001 ? '< 0.001' : x.toFixed(3));

const tests = (n: number): string => `${n} test${n === 1 ? '' : 's'}`;

/** A signed number of another metric: three significant digits, or `decimals` fixed decimals. */
export const signedIn =
  (decimals?: number) =>
  (x: number): string =>
    Number.isNaN(x)
      ? '–'
      : decimals === undefined
        ? `${x >= 0 ? '+' : ''}${Number(x.toPrecision(3))}`
        : `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(decimals)}`;

export function markdown(rows: BaselineRow[], metric = ACCURACY, decimals?: number): string {
  const signed = signedIn(decimals);
  const lines: string[] = [];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const family = rows.filter((r) => r.model === model);
    const what = metric === ACCURACY ? '' : ` in ${metric}`;
    lines.push(
      `### ${model.toUpperCase()}: N-ReLU − baseline${what}, paired by seed (Holm over ${tests(family.filter((r) => r.p !== null).length)})`,
      '',
    );
    if (metric !== ACCURACY) {
      lines.push('| N-ReLU σ | baseline | n | paired Δ [95% CI] | paired p | Holm p |', '|---|---|---:|---|---:|---:|');
      for (const r of family)
        lines.push(
          `| ${r.sigma} | ${r.baseline} | ${r.n} | ${signed(r.meanDiff)} [${signed(r.ciLow)}, ${signed(r.ciHigh)}] | ${pv(r.p)} | ${pv(r.pHolm)} |`,
        );
      lines.push('');
      continue;
    }
    lines.push(
      '| N-ReLU σ | baseline | n | paired Δ (pp) [95% CI] | paired p | Holm p | TOST Holm p | verdict |',
      '|---|---|---:|---|---:|---:|---:|---|',
    );
    for (const r of family) {
      lines.push(
        `| ${r.sigma} | ${r.baseline} | ${r.n} | ${pp(r.meanDiff)} [${pp(r.ciLow)}, ${pp(r.ciHigh)}] | ${pv(r.p)} | ${pv(r.pHolm)} | ${pv(r.tostPHolm)} | ${r.verdict} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    options: {
      sigmas: { type: 'string' },
      against: { type: 'string' },
      metric: { type: 'string' },
      model: { type: 'string' },
      decimals: { type: 'string' },
    },
    allowPositionals: true,
  });
  const dir = positionals[0];
  if (!dir) {
    console.error(
      'usage: tsx scripts/paired-vs-baselines.ts RESULTS_DIR [--sigmas 0.05,0.1] [--against relu,gelu,model:setting] ' +
        '[--metric COLUMN [--decimals D]] [--model MODEL]',
    );
    process.exit(2);
  }
  const sigmas = (values.sigmas ?? '').split(',').filter(Boolean);
  const against = values.against ? values.against.split(',').filter(Boolean) : BASELINES;
  const marginPp = readCompareOptions(dir).margin;
  const summary = readRowsSync(join(dir, 'summary.csv'));
  const metric = values.metric ?? ACCURACY;
  if (summary.length > 0 && !(metric in summary[0])) {
    console.error(`--metric ${metric}: ${dir}/summary.csv has no such column`);
    process.exit(2);
  }
  const decimals = values.decimals === undefined ? undefined : Number(values.decimals);
  process.stdout.write(
    markdown(pairedVsBaselines(summary, sigmas, marginPp, against, metric, values.model), metric, decimals),
  );
}
