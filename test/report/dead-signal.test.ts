/**
 * scripts/dead-signal.ts: each setting's zero-dead accuracy paired with the same runs' inference accuracy, silenced
 * units from summary.csv, one Holm family over every row, in the folder's setting order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadSignal, markdown } from '../../scripts/dead-signal.js';
import { holm, pairedTest } from '../../src/stats/paired.js';

const seeds = [1, 2, 3];
function runs(setting: string, dead: number[], recorded: number[], zeroed: number[]) {
  const summary = seeds.map((s, i) => ({
    run_id: `mlp-${setting}-seed${s}`,
    model: 'mlp',
    setting,
    seed: String(s),
    final_dead: String(dead[i]),
    units: '100',
  }));
  const evalRows = seeds.map((s, i) => ({
    run_id: `mlp-${setting}-seed${s}`,
    model: 'mlp',
    setting,
    seed: String(s),
    mode: 'zero-dead',
    test_acc: String(zeroed[i]),
    recorded_test_acc: String(recorded[i]),
  }));
  // A deterministic row of the same run is not a zero-dead row.
  evalRows.push({ ...evalRows[0], mode: 'deterministic', test_acc: '0.1' });
  return { summary, evalRows };
}

test('dead-signal: zero-dead minus inference per setting, Holm over the family, in summary order', () => {
  const relu = runs('relu', [40, 50, 60], [0.95, 0.96, 0.97], [0.95, 0.96, 0.97]);
  const leaky = runs('leaky_relu', [30, 30, 30], [0.94, 0.95, 0.96], [0.9, 0.9, 0.93]);
  const nrelu = runs('nrelu-s0.1', [20, 22, 24], [0.96, 0.96, 0.97], [0.959, 0.958, 0.969]);
  const rows = deadSignal(
    [...relu.summary, ...leaky.summary, ...nrelu.summary],
    [...nrelu.evalRows, ...relu.evalRows, ...leaky.evalRows],
  );
  assert.deepEqual(
    rows.map((r) => r.setting),
    ['relu', 'leaky_relu', 'nrelu-s0.1'],
  );
  assert.deepEqual(
    rows.map((r) => r.silenced),
    [50, 30, 22],
  );
  const bySeed = (v: number[]) => new Map(v.map((x, i) => [seeds[i], x]));
  const leakyT = pairedTest(bySeed([0.9, 0.9, 0.93]), bySeed([0.94, 0.95, 0.96]), 0);
  assert.ok(Math.abs(rows[1].paired.meanDiff - -0.04) < 1e-12);
  assert.equal(rows[1].paired.p, leakyT.p);
  assert.equal(rows[0].paired.meanDiff, 0, 'nothing lost: every difference 0');
  assert.equal(rows[0].paired.p, null);
  const nreluT = pairedTest(bySeed([0.959, 0.958, 0.969]), bySeed([0.96, 0.96, 0.97]), 0);
  assert.deepEqual(
    rows.map((r) => r.pHolm),
    holm([null, leakyT.p, nreluT.p]),
  );
  const md = markdown(rows);
  assert.match(md, /Holm over 2 tests/);
  assert.match(md, /\| mlp \| leaky_relu \| 3 \| 30\.0 \/ 100 \| 95\.00 \| -4\.00 \[-\d\.\d\d, -\d\.\d\d\] \|/);
});
