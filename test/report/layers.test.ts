/**
 * The per-layer comparison against SciPy 1.10.1 (section LAYERS of `/usr/bin/python3 test/stats/paired-reference.py`):
 * the last probe of each run and layer, paired with ReLU by seed; earlier epochs, runs that did not complete and a
 * metric missing at the last epoch must not change the numbers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLayers, renderLayers } from '../../src/report/layers.js';
import {
  DEAD_COLUMNS,
  SUMMARY_COLUMNS,
  readRows,
  resultPaths,
  writeRows,
  type CellValue,
  type Row,
} from '../../src/results/files.js';
import { writeComparison } from '../../src/report/write.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

// [ReLU, nrelu-s0.1] by seed, as in paired-reference.py.
const DEAD = {
  L1: [
    [5, 7, 6, 8],
    [7, 8, 9, 9],
  ],
  L2: [
    [10, 12, 11, 9],
    [8, 9, 11, 6],
  ],
};
const GRAD_L1 = [
  [4, 7, 5, 8],
  [6, 8, 9, 10],
];

function rows(): { summary: Record<string, CellValue>[]; dead: Record<string, CellValue>[] } {
  const summary: Record<string, CellValue>[] = [];
  const dead: Record<string, CellValue>[] = [];
  ['relu', 'nrelu-s0.1'].forEach((setting, side) => {
    for (let seed = 1; seed <= 4; seed++) {
      const id = `mlp-${setting}-seed${seed}`;
      summary.push({
        run_id: id,
        model: 'mlp',
        activation: setting === 'relu' ? 'relu' : 'nrelu',
        sigma: setting === 'relu' ? '' : '0.1',
        seed,
        status: 'completed',
        epochs: 2,
        final_test_acc: 0.98,
        best_test_acc: 0.98,
        final_test_loss: 0.1,
        final_dead: 1,
        units: 30,
        train_seconds: 1,
        backend: 'cpu',
        setting,
      });
      for (const epoch of [1, 2]) {
        for (const layer of ['L1', 'L2'] as const) {
          const last = epoch === 2;
          const v = DEAD[layer][side][seed - 1];
          // ReLU seed 1's gradient probe did not run at epoch 2: its epoch-1 value is its last probe.
          const grad =
            layer === 'L1'
              ? last && !(side === 0 && seed === 1)
                ? GRAD_L1[side][seed - 1]
                : last
                  ? ''
                  : GRAD_L1[side][seed - 1]
              : 0;
          dead.push({
            run_id: id,
            epoch,
            layer,
            // Epoch 1's count is a marker no last epoch has; every count fits in the units probed (row-rules.ts).
            dead: last ? v : 0,
            units: layer === 'L1' ? 20 : 12,
            dormant: 1,
            zero_output: 0,
            grad_dead: grad,
          });
        }
      }
    }
  });
  // A diverged ReLU seed 5 with every unit dead: not completed, so not paired and not in ReLU's mean.
  summary.push({
    run_id: 'mlp-relu-seed5',
    model: 'mlp',
    activation: 'relu',
    sigma: '',
    seed: 5,
    status: 'diverged',
    epochs: 1,
    setting: 'relu',
  });
  dead.push({
    run_id: 'mlp-relu-seed5',
    epoch: 1,
    layer: 'L1',
    dead: 20,
    units: 20,
    dormant: 20,
    zero_output: 0,
    grad_dead: 20,
  });
  return { summary, dead };
}

const asRows = (r: Record<string, CellValue>[]): Row[] =>
  r.map((x) =>
    Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)])),
  );

function close(actual: number | string | null | undefined, expected: number, what: string, rel = 1e-9): void {
  const v = Number(actual);
  assert.ok(
    actual !== null &&
      actual !== undefined &&
      actual !== '' &&
      Math.abs(v - expected) <= Math.max(1e-12, rel * Math.abs(expected)),
    `${what}: ${actual} vs SciPy ${expected}`,
  );
}

test("per-layer paired differences, intervals and p-values match SciPy, from each run's last probe", () => {
  const { summary, dead } = rows();
  const out = compareLayers(asRows(summary), asRows(dead));
  const get = (layer: string, metric: string) =>
    out.find((r) => r.layer === layer && r.metric === metric && r.setting === 'nrelu-s0.1');
  const l1 = get('L1', 'dead');
  close(l1?.paired.meanDiff, 1.75, 'L1 dead mean');
  close(l1?.paired.ciLow, 0.2265198191709219, 'L1 dead ci low');
  close(l1?.paired.ciHigh, 3.273480180829078, 'L1 dead ci high');
  close(l1?.paired.p, 0.03535284700251738, 'L1 dead p');
  close(l1?.reluMean, 6.5, 'ReLU mean over completed runs');
  assert.equal(l1?.units, 20);
  assert.deepEqual([l1?.below, l1?.above], [0, 4]);
  const l2 = get('L2', 'dead');
  close(l2?.paired.meanDiff, -2, 'L2 dead mean');
  close(l2?.paired.ciLow, -4.250329363228576, 'L2 dead ci low');
  close(l2?.paired.p, 0.06627560274152426, 'L2 dead p');
  assert.deepEqual([l2?.below, l2?.above], [3, 0]);
  const g = get('L1', 'grad_dead');
  close(g?.paired.meanDiff, 2.25, 'L1 grad-dead mean');
  close(g?.paired.ciHigh, 4.252245225336274, 'L1 grad-dead ci high');
  close(g?.paired.p, 0.03738607346849863, 'L1 grad-dead p');
  // Every pair of L2's gradient-dead counts is 0 - 0: no test (SciPy: nan), shown as a dash.
  assert.equal(get('L2', 'grad_dead')?.paired.p, null);
  assert.equal(out.filter((r) => r.setting === 'relu').length, 0);
});

test('writeComparison writes comparison-layers.csv and a per-layer section in comparison.md', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nrelu-layers-'));
  dirs.push(dir);
  const { summary, dead } = rows();
  await writeRows(resultPaths(dir).summary, SUMMARY_COLUMNS, summary);
  await writeRows(resultPaths(dir).dead, DEAD_COLUMNS, dead);
  await writeFile(resultPaths(dir).manifest, JSON.stringify({ name: 't', config: {}, runs: {} }));
  const md = await writeComparison(
    dir,
    summary.map((r) => String(r.run_id)),
    't',
  );
  const csv = await readRows(resultPaths(dir).comparisonLayersCsv);
  const l1 = csv.find((r) => r.layer === 'L1' && r.metric === 'dead');
  close(l1?.paired_diff_mean, 1.75, 'csv L1 dead', 1e-6);
  close(l1?.paired_p, 0.03535284700251738, 'csv L1 p', 1e-6);
  assert.equal(l1?.pairs_above, '4');
  assert.match(md, /\| L1 \(20\) \| nrelu-s0\.1 \| 8\.3 \| \+1\.8 \[\+0\.2, \+3\.3\] \| 0\.035 \| 0\/4 \|/);
  assert.match(md, /\| L2 \(12\) \| nrelu-s0\.1 \| 8\.5 \| -2\.0 \[-4\.3, \+0\.3\] \| 0\.066 \| 3\/0 \|/);
  assert.deepEqual(renderLayers([]), []);
});
