/**
 * Statistics over seeds, for the comparison tables. The t distribution and Welch's test come
 * from @stdlib (maintained, tested) rather than being written here.
 */
import ttest2 from '@stdlib/stats-ttest2';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n - 1), as papers report it; NaN below two values. */
export function sampleStd(values: number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

export interface Summary {
  n: number;
  mean: number;
  std: number;
  /** Two-sided confidence interval for the mean from Student's t with n - 1 degrees of freedom. */
  ciLow: number;
  ciHigh: number;
}

export function summarize(values: number[], level = 0.95): Summary {
  const n = values.length;
  const m = mean(values);
  const s = sampleStd(values);
  if (n < 2) return { n, mean: m, std: s, ciLow: NaN, ciHigh: NaN };
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (s / Math.sqrt(n));
  return { n, mean: m, std: s, ciLow: m - half, ciHigh: m + half };
}

/**
 * Welch's two-sample t-test (unequal variances), two-sided p-value; null when either sample has
 * fewer than two values or both have zero variance (the test is undefined there).
 */
export function welchPValue(a: number[], b: number[]): number | null {
  if (a.length < 2 || b.length < 2) return null;
  if (sampleStd(a) === 0 && sampleStd(b) === 0) return null;
  return ttest2(a, b, { variance: 'unequal' }).pValue;
}
