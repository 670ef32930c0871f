/**
 * How the report writes numbers, in one place for comparison.md, report.html and the terminal:
 * fractions as percentages with two decimals, p-values with three, counts of units with one.
 * An undefined value (no completed run, no ReLU to compare with) is an en dash.
 */
const DASH = '–';
const missing = (v: number | null): v is null => v === null || Number.isNaN(v);

/** A fraction as a percentage: `97.53`. */
export function pct(v: number): string {
  return Number.isNaN(v) ? DASH : (100 * v).toFixed(2);
}

/** A difference of fractions in percentage points with its sign: `+0.12`; `minus` is `-` in Markdown, `−` in HTML. */
export function signedPct(v: number | null, minus = '-'): string {
  return missing(v) ? DASH : `${v >= 0 ? '+' : minus}${Math.abs(100 * v).toFixed(2)}`;
}

/** A p-value: `0.042`, or `<0.001` (`lessThan` is `&lt;` in HTML). */
export function pValue(p: number | null, lessThan = '<'): string {
  return missing(p) ? DASH : p < 0.001 ? `${lessThan}0.001` : p.toFixed(3);
}

/** A mean count of units out of all hidden units: `3.5 / 384`. */
export function unitsOf(v: number, units: number): string {
  return Number.isNaN(v) ? DASH : `${Number(v.toFixed(1))} / ${units}`;
}

/** A mean count: one decimal at most (`2.5`, `0`). */
export function countOf(v: number): string {
  return Number.isNaN(v) ? DASH : String(Number(v.toFixed(1)));
}

/** A loss difference with its sign: four decimals. */
export function signedLoss(v: number, minus = '-'): string {
  return Number.isNaN(v) ? DASH : `${v >= 0 ? '+' : minus}${Math.abs(v).toFixed(4)}`;
}

/** A loss: four decimals. */
export function loss(v: number): string {
  return Number.isNaN(v) ? DASH : v.toFixed(4);
}
