/**
 * `nrelu-bench stats gap` (report/paired-analyses.ts): N-ReLU's gap to ReLU per model and its difference in differences with the reference
 * model's, against SciPy. Reference values (Python 3, SciPy 1.10) from the accuracies below:
 *   g = nrelu - relu per seed (avg: seeds 1-4, its seed 5 N-ReLU run failed)
 *   gap: d.mean(), the t(0.975, n-1) interval, stats.ttest_1samp(d, 0).pvalue,
 *        TOST max(ttest_1samp(d, -0.002, alternative='greater'), ttest_1samp(d, 0.002, alternative='less'))
 *   contrast: stats.ttest_rel(g[model], g['cnn'][:n]) with its mean and interval; Holm by hand over the two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gapContrasts, gapMarkdown } from '../../src/report/paired-analyses.js';

const relu: Record<string, number[]> = {
  cnn: [0.99, 0.991, 0.988, 0.992, 0.989],
  'cnn-avgpool': [0.989, 0.99, 0.989, 0.991, 0.99],
  'cnn-poolfirst': [0.99, 0.991, 0.988, 0.992, 0.989],
};
const nrelu: Record<string, number[]> = {
  cnn: [0.987, 0.989, 0.986, 0.988, 0.9885],
  'cnn-avgpool': [0.989, 0.9885, 0.99, 0.9905, 0.9895],
  'cnn-poolfirst': [0.9895, 0.9905, 0.988, 0.9915, 0.989],
};

function summary(): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (const model of Object.keys(relu)) {
    for (const [activation, sigma, accs] of [
      ['relu', '', relu[model]],
      ['nrelu', '0.1', nrelu[model]],
    ] as const) {
      accs.forEach((acc, i) => {
        const failed = model === 'cnn-avgpool' && activation === 'nrelu' && i === 4;
        rows.push({
          run_id: `${model}-${activation}-seed${i + 1}`,
          setting: activation === 'relu' ? 'relu' : 'nrelu-s0.1',
          model,
          activation,
          sigma,
          seed: String(i + 1),
          status: failed ? 'failed' : 'completed',
          final_test_acc: failed ? '0.5' : String(acc), // a failed run's last recorded value must not pair
          final_dead: String(activation === 'relu' ? 50 : model === 'cnn' ? 60 + i : 50 + (i % 2)),
        });
      });
    }
  }
  // Another setting in the folder is not part of the contrast.
  rows.push({
    ...rows[0],
    run_id: 'cnn-nrelu-s0.2-seed1',
    setting: 'nrelu-s0.2',
    activation: 'nrelu',
    sigma: '0.2',
    final_test_acc: '0.5',
  });
  return rows;
}

const near = (actual: number | null, expected: number, what: string, tol = 1e-9): void =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `${what}: ${actual} vs SciPy ${expected}`);

test('gap per model and its contrast with the reference model match SciPy (difference in differences, Holm)', () => {
  const rows = gapContrasts(summary(), { setting: 'nrelu-s0.1', baseline: 'relu', reference: 'cnn', marginPp: 0.2 });
  assert.deepEqual(
    rows.map((r) => [r.model, r.gap.n, r.contrast?.n ?? null]),
    [
      ['cnn', 5, null],
      ['cnn-avgpool', 4, 4],
      ['cnn-poolfirst', 5, 5],
    ],
  );
  const [cnn, avg, first] = rows;
  near(cnn.gap.meanDiff, -0.002299999999999991, 'cnn gap');
  near(cnn.gap.ciLow, -0.0039189317847087195, 'cnn gap low');
  near(cnn.gap.ciHigh, -0.0006810682152912624, 'cnn gap high');
  near(cnn.gap.p, 0.016896272627014222, 'cnn gap p');
  near(cnn.gap.tostP, 0.6829864194018538, 'cnn gap TOST');
  near(avg.gap.meanDiff, -0.00024999999999997247, 'avg gap');
  near(avg.gap.p, 0.6638080120323948, 'avg gap p');
  near(avg.gap.tostP, 0.021823117520384617, 'avg gap TOST');
  near(first.gap.tostP, 7.809587445381065e-5, 'poolfirst gap TOST');
  near(avg.contrast?.meanDiff ?? null, 0.00250000000000003, 'avg contrast');
  near(avg.contrast?.ciLow ?? null, 0.00034547366626532785, 'avg contrast low');
  near(avg.contrast?.ciHigh ?? null, 0.004654526333734732, 'avg contrast high');
  near(avg.contrast?.p ?? null, 0.034450854161850994, 'avg contrast p');
  near(first.contrast?.meanDiff ?? null, 0.002000000000000024, 'poolfirst contrast');
  near(first.contrast?.p ?? null, 0.016130089900093736, 'poolfirst contrast p');
  near(avg.contrastPHolm, 0.034450854161850994, 'avg Holm');
  near(first.contrastPHolm, 0.03226017980018747, 'poolfirst Holm');
  assert.equal(cnn.contrastPHolm, null);
});

test('another metric pairs its own column, in its own units, without an equivalence test', () => {
  const rows = gapContrasts(summary(), {
    setting: 'nrelu-s0.1',
    baseline: 'relu',
    reference: 'cnn',
    marginPp: 0.2,
    metric: 'final_dead',
  });
  assert.equal(rows[0].gap.meanDiff, 12); // 60..64 against 50
  assert.equal(rows[0].gap.tostP, null);
  assert.equal(rows[2].contrast?.meanDiff, 0.4 - 12); // 50, 51, 50, 51, 50 against 50
  const table = gapMarkdown(rows, {
    setting: 'nrelu-s0.1',
    baseline: 'relu',
    reference: 'cnn',
    marginPp: 0.2,
    metric: 'final_dead',
  });
  assert.match(table, /\| cnn-poolfirst \| 5 \| \+0\.4 \[/);
  assert.doesNotMatch(table, /TOST/);
  // --decimals 2: fixed decimals instead of three significant digits.
  assert.match(
    gapMarkdown(rows, {
      setting: 'nrelu-s0.1',
      baseline: 'relu',
      reference: 'cnn',
      marginPp: 0.2,
      metric: 'final_dead',
      decimals: 2,
    }),
    /\| cnn \| \d+ \| \+12\.00 \[/,
  );
});

test('the accuracy table prints percentage points, and a missing reference model is one clear error', () => {
  const rows = gapContrasts(summary(), { setting: 'nrelu-s0.1', baseline: 'relu', reference: 'cnn', marginPp: 0.2 });
  assert.match(
    gapMarkdown(rows, { setting: 'nrelu-s0.1', baseline: 'relu', reference: 'cnn', marginPp: 0.2 }),
    /\| cnn-avgpool \| 4 \| -0\.02 \[-0\.19, \+0\.14\] \| 0\.664 \| 0\.022 \| \+0\.25 \[/,
  );
  assert.throws(
    () => gapContrasts(summary(), { setting: 'nrelu-s0.1', baseline: 'relu', reference: 'cnn-nopool', marginPp: 0.2 }),
    /reference model cnn-nopool has no completed nrelu-s0\.1 and relu runs/,
  );
});
