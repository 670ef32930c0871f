/**
 * Paired statistics: a setting against ReLU, matched by seed. Runs with the same seed share their
 * initial weights, batch order and noise stream (test/train/paired.test.ts), so the per-seed
 * difference removes most of the seed-to-seed spread that an unpaired (Welch) test has to carry.
 *
 * The tests themselves come from @stdlib: the paired and one-sample t-tests (`@stdlib/stats-ttest`,
 * also used for the two one-sided tests of TOST) and Holm's adjustment (`@stdlib/stats-padjust`).
 */
import ttest from '@stdlib/stats-ttest';
import padjust from '@stdlib/stats-padjust';
import { summarize } from './statistics.js';

/** Final test accuracy per seed, for one setting. */
export type BySeed = Map<number, number>;

export interface PairedResult {
  /** Seeds present (completed) on both sides, ascending: the pairs. */
  seeds: number[];
  /** Seeds completed only on this side, or only on the reference side: left out of the pairs. */
  onlyHere: number[];
  onlyReference: number[];
  n: number;
  /** Mean of (setting - reference) over the pairs; NaN without pairs. */
  meanDiff: number;
  /** Sample standard deviation of the differences (n - 1); NaN below two pairs. */
  sdDiff: number;
  /** 95% Student-t interval of the mean difference (n - 1 df); NaN below two pairs. */
  ciLow: number;
  ciHigh: number;
  /** Paired t-test, two-sided; null below two pairs or when every difference is exactly 0. */
  p: number | null;
  /** TOST p-value for |mean difference| < margin (the larger of the two one-sided p); null below two pairs. */
  tostP: number | null;
}

/**
 * Pairs `here` with `reference` by seed and tests the mean difference (here - reference).
 * `margin` is the equivalence margin in the same unit as the values (a fraction for accuracies).
 *
 * Zero variance of the differences (every pair differs by the same d): the interval is [d, d]; the
 * t statistic is infinite, so p = 0 when d != 0, and undefined (null) when d = 0, as in SciPy;
 * TOST gives 0 when |d| < margin and 1 otherwise.
 */
export function pairedTest(here: BySeed, reference: BySeed, margin: number): PairedResult {
  const seeds = [...here.keys()].filter((s) => reference.has(s)).sort((a, b) => a - b);
  const onlyHere = [...here.keys()].filter((s) => !reference.has(s)).sort((a, b) => a - b);
  const onlyReference = [...reference.keys()].filter((s) => !here.has(s)).sort((a, b) => a - b);
  const x = seeds.map((s) => here.get(s) as number);
  const y = seeds.map((s) => reference.get(s) as number);
  const diffs = x.map((v, i) => v - y[i]);
  const s = summarize(diffs);
  const out: PairedResult = {
    seeds,
    onlyHere,
    onlyReference,
    n: seeds.length,
    meanDiff: s.mean,
    sdDiff: s.std,
    ciLow: s.ciLow,
    ciHigh: s.ciHigh,
    p: null,
    tostP: null,
  };
  if (seeds.length < 2) return out;
  const p = ttest(x, y).pValue;
  out.p = Number.isNaN(p) ? null : p;
  // TOST (Schuirmann 1987): H0 mean <= -margin against > -margin, and H0 mean >= +margin against < +margin.
  const lower = ttest(diffs, { mu: -margin, alternative: 'greater' }).pValue;
  const upper = ttest(diffs, { mu: margin, alternative: 'less' }).pValue;
  out.tostP = Math.max(Number.isNaN(lower) ? 1 : lower, Number.isNaN(upper) ? 1 : upper);
  return out;
}

/**
 * Holm–Bonferroni adjusted p-values for one family of tests; nulls (no test) stay null and are
 * not counted in the family.
 */
export function holm(pValues: (number | null)[]): (number | null)[] {
  const present = pValues.flatMap((p, i) => (p === null ? [] : [i]));
  if (present.length === 0) return pValues.map(() => null);
  const adjusted = padjust(
    present.map((i) => pValues[i] as number),
    'holm',
  );
  const out: (number | null)[] = pValues.map(() => null);
  present.forEach((i, k) => {
    out[i] = adjusted[k];
  });
  return out;
}

export type Verdict = 'better' | 'worse' | 'equivalent' | 'inconclusive';

/**
 * The verdict of a paired comparison at level `alpha` (README, "Statistics"), with both of its
 * p-values adjusted over the same family (Holm), so that "equivalent" and "better/worse" are claimed
 * at the same family-wise error rate:
 * - `equivalent`: the Holm-adjusted TOST p is below alpha (TOST alone: the 90% interval lies inside ±margin);
 * - else `better` / `worse`: the Holm-adjusted paired p-value is below alpha, by the sign of the mean;
 * - else `inconclusive`.
 * Pass the unadjusted p-values for a single pre-registered comparison (the primary comparison).
 */
export function verdictOf(r: PairedResult, pHolm: number | null, tostPHolm: number | null, alpha = 0.05): Verdict {
  if (tostPHolm !== null && tostPHolm < alpha) return 'equivalent';
  if (pHolm !== null && pHolm < alpha && r.meanDiff !== 0) return r.meanDiff > 0 ? 'better' : 'worse';
  return 'inconclusive';
}

/** The verdict as written in the tables: `equivalent (±0.2)` carries the margin in percentage points. */
export function verdictLabel(v: Verdict, marginPp: number): string {
  return v === 'equivalent' ? `equivalent (±${marginPp})` : v;
}
