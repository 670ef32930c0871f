/**
 * The post-hoc table's "vs deterministic": an mc:K row minus the same runs' inference-mode accuracy, from their
 * deterministic rows, or, for runs evaluated only in mc:K (results/mechanism-cnn's seeds 1-5), from the accuracy each
 * run recorded. Before issue 34 those rows printed only dashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePostHoc, renderPostHoc } from '../../src/report/post-hoc.js';
import { pairedTest } from '../../src/stats/paired.js';
import type { Row } from '../../src/results/files.js';

const row = (seed: number, mode: string, acc: number, recorded: number): Row => ({
  run_id: `cnn-nrelu-s0.1-seed${seed}`,
  model: 'cnn',
  setting: 'nrelu-s0.1',
  seed: String(seed),
  mode,
  test_acc: String(acc),
  recorded_test_acc: String(recorded),
  clean_train_loss: '',
  clean_train_acc: '',
});

test('an mc:K row without deterministic rows is compared with the accuracy each run recorded', () => {
  const mc = [row(1, 'mc:20', 0.981, 0.98), row(2, 'mc:20', 0.979, 0.978), row(3, 'mc:20', 0.985, 0.986)];
  const [r] = comparePostHoc(mc);
  const expected = pairedTest(
    new Map([
      [1, 0.981],
      [2, 0.979],
      [3, 0.985],
    ]),
    new Map([
      [1, 0.98],
      [2, 0.978],
      [3, 0.986],
    ]),
    0,
  );
  assert.equal(r.vsDeterministic?.n, 3);
  assert.equal(r.vsDeterministic?.meanDiff, expected.meanDiff);
  assert.equal(r.vsDeterministic?.p, expected.p);
  assert.match(renderPostHoc([r]).join('\n'), /\| nrelu-s0\.1 \| mc:20 \| 3 \| 98\.17 \| – \| – \| – \| \+0\.03 \[/);
});

test('deterministic rows come first; the recorded accuracy fills only the runs without one', () => {
  // Seed 1's deterministic row (0.975) differs from its recorded accuracy on purpose: the row must win.
  const rows = [row(1, 'mc:20', 0.981, 0.98), row(2, 'mc:20', 0.979, 0.978), row(1, 'deterministic', 0.975, 0.98)];
  const r = comparePostHoc(rows).find((x) => x.mode === 'mc:20');
  assert.equal(r?.vsDeterministic?.n, 2);
  assert.ok(Math.abs((r?.vsDeterministic?.meanDiff ?? NaN) - (0.006 + 0.001) / 2) < 1e-12);
  // A deterministic row is not compared with itself.
  assert.equal(comparePostHoc(rows).find((x) => x.mode === 'deterministic')?.vsDeterministic, null);
});
