/**
 * The group-sequential design (src/stats/sequential.ts): its boundaries against published values, its decisions
 * on hand-made differences, and its error rates by simulation with the SDs measured in the committed paper grids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { Rng } from '../../src/rng/index.js';
import {
  decideSequential,
  obfSpending,
  sequentialDesign,
  spendingBoundaries,
  stoppingOf,
  zToT,
  type SequentialDecision,
  type SequentialDesign,
} from '../../src/stats/sequential.js';

const near = (actual: number[], expected: number[], tol: number, what: string): void =>
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `${what}[${i}]: ${a} vs ${expected[i]}`));

test('O’Brien–Fleming-type spending spends nothing at 0, α at 1, little early', () => {
  assert.equal(obfSpending(0, 0.05), 0);
  assert.ok(Math.abs(obfSpending(1, 0.05) - 0.05) < 1e-12);
  assert.ok(obfSpending(0.25, 0.05) < 1e-4);
});

test('Lan–DeMets O’Brien–Fleming boundaries match the published ones (ldbounds, gsDesign; two-sided α = 0.05)', () => {
  // Jennison and Turnbull (2000) table 7.6 / R ldbounds::ldBounds(t, iuse = 1, alpha = 0.05), equal looks.
  near(spendingBoundaries([0.25, 0.5, 0.75, 1], 0.05, 2), [4.3326, 2.9631, 2.359, 2.0141], 1e-3, 'K=4');
  near(spendingBoundaries([0.2, 0.4, 0.6, 0.8, 1], 0.05, 2), [4.8769, 3.3569, 2.6803, 2.2898, 2.031], 1e-3, 'K=5');
  // One-sided at α = 0.025 is the same design up to the (negligible) lower crossings.
  near(spendingBoundaries([0.25, 0.5, 0.75, 1], 0.025, 1), [4.3326, 2.9631, 2.359, 2.0141], 1e-3, 'one-sided');
  // A single look is the fixed test.
  near(spendingBoundaries([1], 0.05, 2), [1.95996], 1e-4, 'K=1');
});

test('a z boundary becomes the t quantile with the same tail at the look’s df', () => {
  near([zToT(1.959964, 1e6), zToT(1.644854, 4)], [1.959964, 2.131847], 1e-4, 'zToT');
});

test('a large effect stops early, a null one runs to the end, equivalence is decided on a tight one', () => {
  const design = sequentialDesign([10, 20], 3, 0.002);
  const rng = new Rng(7);
  const draw = (mu: number, sd: number): number[] => Array.from({ length: 20 }, () => mu + sd * rng.normal());
  const diffs = new Map([
    ['worse', draw(-0.01, 0.002)],
    ['null', draw(0, 0.004)],
    ['tight', draw(0, 0.0002)],
  ]);
  const looks = decideSequential(design, diffs);
  const stop = stoppingOf(looks);
  assert.deepEqual(stop.get('worse'), { look: 1, seeds: 10, decision: 'worse' });
  assert.deepEqual(stop.get('tight'), { look: 1, seeds: 10, decision: 'equivalent' });
  assert.deepEqual(stop.get('null'), { look: 2, seeds: 20, decision: 'inconclusive' });
  assert.equal(looks[1].settings.length, 1, 'decided settings are not tested again');
  // Holm: at look 2 each family has rejected one hypothesis (worse's superiority, tight's equivalence), so the
  // null setting is tested at α/2 in both.
  assert.ok(Math.abs(looks[1].settings[0].superiorityBoundary - zToT(design.superiorityZ[1][1], 19)) < 1e-12);
  assert.ok(Math.abs(looks[1].settings[0].equivalenceBoundary - zToT(design.equivalenceZ[1][1], 19)) < 1e-12);
  assert.ok(Math.abs(looks[0].superiorityT - zToT(design.superiorityZ[2][0], 9)) < 1e-12);
});

/** Paired-difference SDs of the compared settings in a committed grid (comparison.csv, paired_diff_std). */
function measured(folder: string, column = 'paired_diff_std'): number[] {
  const rows: Record<string, string>[] = parse(readFileSync(`results/${folder}/comparison.csv`), { columns: true });
  return rows.filter((r) => r.paired_diff_std !== '').map((r) => Number(r[column]));
}

/** A verdict that is wrong for a true difference `delta`: the wrong sign, or "equivalent" at |Δ| ≥ margin. */
type WrongIf = (decision: SequentialDecision, delta: number) => boolean;
const wrongSign: WrongIf = (d, delta) => (d === 'better' && delta <= 0) || (d === 'worse' && delta >= 0);
const wrongEquivalent: WrongIf = (d, delta) => d === 'equivalent' && Math.abs(delta) >= MARGIN - 1e-12;

interface Rates {
  /** Grids with at least one wrong verdict of the kind counted. */
  wrong: number;
  /** Mean seeds per compared setting, and runs per grid (settings + baseline, which runs to the last stop). */
  seedsPerSetting: number;
  runsPerGrid: number;
}

/** `grids` simulated grids of normal differences with means `deltas` and SDs `sds`; counts grids with a wrong verdict. */
function simulate(
  design: SequentialDesign,
  sds: number[],
  deltas: number[],
  grids: number,
  seed: number,
  wrongIf: WrongIf,
): Rates {
  const rng = new Rng(seed);
  const max = design.looks[design.looks.length - 1];
  const names = sds.map((_, i) => `s${i}`);
  let wrong = 0;
  let seeds = 0;
  let runs = 0;
  for (let g = 0; g < grids; g++) {
    const diffs = new Map(
      names.map((n, i) => [n, Array.from({ length: max }, () => deltas[i] + sds[i] * rng.normal())]),
    );
    const stopped = stoppingOf(decideSequential(design, diffs));
    const stop = names.map((n) => stopped.get(n) ?? { seeds: max, decision: 'inconclusive' as const });
    const bad = stop.some((s, i) => wrongIf(s.decision, deltas[i]));
    if (bad) wrong++;
    const each = stop.map((s) => s.seeds);
    seeds += each.reduce((a, b) => a + b, 0) / each.length;
    runs += each.reduce((a, b) => a + b, 0) + Math.max(...each);
  }
  return { wrong: wrong / grids, seedsPerSetting: seeds / grids, runsPerGrid: runs / grids };
}

/**
 * Monte-Carlo error: with N = 10,000 grids a rate near 0.05 has a standard error of √(0.05·0.95/N) = 0.0022, so
 * a design whose true rate is 0.05 passes `rate ≤ 0.05 + 3 SE = 0.0565` with probability > 0.998, and one
 * whose true rate is 0.065 or more fails it with probability > 0.99. The seeds are fixed, so the run is repeatable.
 */
const GRIDS = 10_000;
const TOLERANCE = 3 * Math.sqrt((0.05 * 0.95) / GRIDS);
const MARGIN = 0.002;

for (const folder of ['paper-mlp', 'paper-cnn']) {
  test(`simulation, ${folder}'s SDs, looks 4,8,12,16: family-wise wrong verdicts ≤ 0.05`, (t) => {
    const sds = measured(folder);
    assert.equal(sds.length, 7, `${folder}: seven compared settings`);
    const design = sequentialDesign([4, 8, 12, 16], sds.length, MARGIN);
    const fixedRuns = 16 * (sds.length + 1);
    const nullRates = simulate(
      design,
      sds,
      sds.map(() => 0),
      GRIDS,
      38_1,
      wrongSign,
    );
    const edge = simulate(
      design,
      sds,
      sds.map((_, i) => (i % 2 === 0 ? MARGIN : -MARGIN)),
      GRIDS,
      38_2,
      wrongEquivalent,
    );
    // Not a bound, a report: the true Δ as the committed grid measured it (expected seeds where effects are real).
    const asMeasured = simulate(design, sds, measured(folder, 'paired_diff_mean'), GRIDS, 38_3, wrongSign);
    const line = (what: string, r: Rates): string =>
      `${folder} ${what}: wrong ${r.wrong.toFixed(4)} (tolerance ${TOLERANCE.toFixed(4)}); ` +
      `seeds per setting ${r.seedsPerSetting.toFixed(2)} of 16; runs per grid ${r.runsPerGrid.toFixed(1)} ` +
      `of ${fixedRuns} fixed`;
    t.diagnostic(line('Δ = 0, wrong better/worse', nullRates));
    t.diagnostic(line('|Δ| = margin, wrong equivalent', edge));
    t.diagnostic(line('Δ as measured, wrong sign', asMeasured));
    assert.ok(nullRates.wrong <= 0.05 + TOLERANCE, line('Δ = 0', nullRates));
    assert.ok(edge.wrong <= 0.05 + TOLERANCE, line('|Δ| = margin', edge));
  });
}
