/**
 * The paired statistics against independent reference values: SciPy 1.10.1 and statsmodels 0.13.5
 * (Debian 12's python3-scipy and python3-statsmodels), printed by
 *     /usr/bin/python3 test/stats/paired-reference.py
 * and copied here, so CI needs neither. Cases: n = 5, n = 2, a missing seed, zero variance of the
 * differences, identical runs, and Holm's adjustment (statsmodels multipletests, method 'holm').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holm, pairedTest, verdictLabel, verdictOf, type BySeed } from '../../src/stats/paired.js';
import { welchPValue } from '../../src/stats/statistics.js';

/** |actual - expected| <= 1e-9 relative (or 1e-15 absolute near 0). */
function close(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null, `${what}: got null, expected ${expected}`);
  assert.ok(
    Math.abs(actual - expected) <= Math.max(1e-15, 1e-9 * Math.abs(expected)),
    `${what}: ${actual} vs reference ${expected}`,
  );
}

const seeds = (o: Record<number, number>): BySeed => new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));

// Same data as paired-reference.py: [reference (ReLU), setting] by seed.
const A = [
  seeds({ 1: 0.9812, 2: 0.9806, 3: 0.9821, 4: 0.9809, 5: 0.9815 }),
  seeds({ 1: 0.9818, 2: 0.9815, 3: 0.9823, 4: 0.9817, 5: 0.9819 }),
];
const B = [seeds({ 1: 0.979, 2: 0.9801 }), seeds({ 1: 0.9795, 2: 0.9812 })];
const D = [
  seeds({ 1: 0.9812, 2: 0.9806, 4: 0.9809, 5: 0.9815 }),
  seeds({ 1: 0.9801, 2: 0.9799, 3: 0.979, 4: 0.9808, 5: 0.9802 }),
];
const Z = [seeds({ 1: 0.5, 2: 0.75, 3: 0.625 }), seeds({ 1: 0.625, 2: 0.875, 3: 0.75 })];
const I = [seeds({ 1: 0.5, 2: 0.75, 3: 0.625 }), seeds({ 1: 0.5, 2: 0.75, 3: 0.625 })];

test('n = 5: mean difference, its 95% t-interval, paired p and TOST p match SciPy/statsmodels', () => {
  const r = pairedTest(A[1], A[0], 0.002);
  assert.deepEqual(r.seeds, [1, 2, 3, 4, 5]);
  close(r.meanDiff, 0.0005800000000000027, 'mean');
  close(r.sdDiff, 0.0002863564212655498, 'sd');
  close(r.ciLow, 0.00022444154106009807, 'ci low');
  close(r.ciHigh, 0.0009355584589399073, 'ci high');
  close(r.p, 0.01058509303675495, 'paired p (scipy ttest_rel)');
  close(r.tostP, 0.00018813374523209982, 'TOST p (statsmodels ttost_paired)');
  close(
    welchPValue([...A[1].values()], [...A[0].values()]),
    0.09276904880761636,
    'Welch p (scipy ttest_ind equal_var=False)',
  );
});

test('n = 2: one degree of freedom', () => {
  const r = pairedTest(B[1], B[0], 0.002);
  assert.equal(r.n, 2);
  close(r.meanDiff, 0.0008000000000000229, 'mean');
  close(r.ciLow, -0.0030118614209291854, 'ci low');
  close(r.ciHigh, 0.004611861420929231, 'ci high');
  close(r.p, 0.22840050243978716, 'paired p');
  close(r.tostP, 0.0779791303773625, 'TOST p');
  close(welchPValue([...B[1].values()], [...B[0].values()]), 0.5239697062559445, 'Welch p');
});

test('a seed missing on one side: only the common seeds pair, and the unmatched one is reported', () => {
  const r = pairedTest(D[1], D[0], 0.002);
  assert.deepEqual(r.seeds, [1, 2, 4, 5]);
  assert.deepEqual(r.onlyHere, [3]);
  assert.deepEqual(r.onlyReference, []);
  close(r.meanDiff, -0.0008000000000000229, 'mean');
  close(r.sdDiff, 0.0005291502622129438, 'sd');
  close(r.ciLow, -0.0016419961484599138, 'ci low');
  close(r.ciHigh, 4.199614845986797e-5, 'ci high');
  close(r.p, 0.05659208796627436, 'paired p');
  close(r.tostP, 0.010030477659656385, 'TOST p');
  // Welch uses every completed seed of each side.
  close(welchPValue([...D[1].values()], [...D[0].values()]), 0.021405607571657256, 'Welch p');
  const swapped = pairedTest(D[0], D[1], 0.002);
  assert.deepEqual(swapped.onlyReference, [3]);
  close(swapped.meanDiff, 0.0008000000000000229, 'swapped mean');
});

test('zero variance of the differences: interval [d, d], p = 0 (t = inf); identical runs: p undefined, equivalent', () => {
  const z = pairedTest(Z[1], Z[0], 0.25);
  assert.equal(z.meanDiff, 0.125);
  assert.equal(z.sdDiff, 0);
  assert.equal(z.ciLow, 0.125);
  assert.equal(z.ciHigh, 0.125);
  assert.equal(z.p, 0); // scipy: p=0.0, t=inf
  assert.equal(z.tostP, 0); // statsmodels: 0.0
  assert.equal(pairedTest(Z[1], Z[0], 0.1).tostP, 1); // statsmodels: 1.0 (d outside the margin)
  close(welchPValue([...Z[1].values()], [...Z[0].values()]), 0.2878641347266908, 'Welch p');

  const same = pairedTest(I[1], I[0], 0.002);
  assert.equal(same.meanDiff, 0);
  assert.equal(same.ciLow, 0);
  assert.equal(same.ciHigh, 0);
  assert.equal(same.p, null); // scipy: nan
  assert.equal(same.tostP, 0); // statsmodels: 0.0
  close(welchPValue([...I[1].values()], [...I[0].values()]), 1.0, 'Welch p');
});

test('below two pairs there is no test; the difference is still given for one pair', () => {
  const one = pairedTest(seeds({ 1: 0.98, 2: 0.97 }), seeds({ 1: 0.975 }), 0.002);
  assert.equal(one.n, 1);
  close(one.meanDiff, 0.98 - 0.975, 'mean of one pair');
  assert.ok(Number.isNaN(one.ciLow) && Number.isNaN(one.sdDiff));
  assert.equal(one.p, null);
  assert.equal(one.tostP, null);
  assert.deepEqual(one.onlyHere, [2]);
  const none = pairedTest(seeds({ 1: 0.98 }), seeds({ 2: 0.97 }), 0.002);
  assert.equal(none.n, 0);
  assert.ok(Number.isNaN(none.meanDiff));
  assert.equal(verdictOf(none, null, null), 'inconclusive');
});

test('Holm-Bonferroni adjustment matches statsmodels; nulls stay out of the family', () => {
  const family = [A, B, D].map(([ref, here]) => pairedTest(here, ref, 0.002).p);
  const adjusted = holm(family);
  close(adjusted[0], 0.03175527911026485, 'Holm A');
  close(adjusted[1], 0.22840050243978716, 'Holm B');
  close(adjusted[2], 0.11318417593254872, 'Holm D');
  // The TOST p-values of the same family, adjusted the same way (statsmodels).
  const tost = holm([A, B, D].map(([ref, here]) => pairedTest(here, ref, 0.002).tostP));
  close(tost[0], 0.0005644012356962995, 'TOST Holm A');
  close(tost[1], 0.0779791303773625, 'TOST Holm B');
  close(tost[2], 0.02006095531931277, 'TOST Holm D');
  const withNull = holm([0.01, null, 0.04, 0.03, 0.2]);
  assert.equal(withNull[1], null);
  [0.04, 0.09, 0.09, 0.2].forEach((v, i) => close(withNull[[0, 2, 3, 4][i]], v, `Holm ${i}`));
  assert.deepEqual(holm([null, null]), [null, null]);
});

test('verdicts: equivalent first (Holm-adjusted TOST), then better/worse by the Holm-adjusted p, else inconclusive', () => {
  const a = pairedTest(A[1], A[0], 0.002);
  assert.equal(verdictOf(a, 0.0318, a.tostP), 'equivalent'); // TOST p 0.00019: inside ±0.2 pp, though significantly > 0
  // The equivalence rule reads the adjusted TOST p it is given, not the unadjusted one: 0.06 after Holm is no equivalence.
  assert.equal(verdictOf(a, 0.0318, 0.06), 'better');
  assert.equal(verdictOf(a, 0.06, 0.06), 'inconclusive');
  const aTight = pairedTest(A[1], A[0], 0.0005);
  assert.equal(verdictOf(aTight, 0.0318, aTight.tostP), 'better'); // not within ±0.05 pp, significantly > 0 after Holm
  assert.equal(verdictOf(aTight, 0.06, aTight.tostP), 'inconclusive');
  const d = pairedTest(D[1], D[0], 0.0005);
  assert.equal(verdictOf(d, 0.01, d.tostP), 'worse');
  const z = pairedTest(Z[1], Z[0], 0.1);
  assert.equal(verdictOf(z, 0, z.tostP), 'better'); // zero variance, d = +0.125 outside ±0.1
  const b = pairedTest(B[1], B[0], 0.002);
  assert.equal(verdictOf(b, 0.228, b.tostP), 'inconclusive'); // TOST p 0.078
  assert.equal(verdictLabel('equivalent', 0.2), 'equivalent (±0.2)');
  assert.equal(verdictLabel('worse', 0.2), 'worse');
});
