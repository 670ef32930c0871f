/**
 * `run --until-decided` (src/runner/until-decided.ts): which runs each look trains, with a fake trainer whose
 * accuracies are chosen so that one setting is decided at the first look; and the flag end to end on the tiny
 * config (looks 2,3, three seeds), whose looks reach manifest.json and comparison.md.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { expandGrid } from '../../src/config/grid.js';
import type { RunSpec } from '../../src/config/types.js';
import type { Row } from '../../src/results/files.js';
import type { Manifest } from '../../src/results/manifest.js';
import { parseLooks, plannedSeeds, trainInLooks } from '../../src/runner/until-decided.js';
import { UserError } from '../../src/errors.js';
import { spendingBoundaries } from '../../src/stats/sequential.js';
import { runCli } from '../helpers/cli.js';
import { TINY_YAML } from '../helpers/tiny-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-until-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--looks and --max-seeds: defaults, either alone, and one-line usage errors', () => {
  assert.deepEqual(parseLooks(undefined, undefined), [4, 8, 12, 16]);
  assert.deepEqual(parseLooks(undefined, '10'), [4, 8, 10]);
  assert.deepEqual(parseLooks('2,3', undefined), [2, 3]);
  assert.deepEqual(parseLooks('2,3', '3'), [2, 3]);
  assert.throws(() => parseLooks('4,3', undefined), UserError);
  assert.throws(() => parseLooks('1,3', undefined), UserError);
  assert.throws(() => parseLooks('2,3', '4'), /ends at 3 seeds, but --max-seeds is 4/);
  assert.throws(() => parseLooks(undefined, 'x'), UserError);
  assert.deepEqual(plannedSeeds([3, 1], 4), [3, 1, 4, 5]);
  assert.deepEqual(plannedSeeds([1, 2, 3], 2), [1, 2]);
});

/** Three settings of the tiny config, six planned seeds. */
async function tinySpecs(): Promise<RunSpec[]> {
  const path = join(dir, 'three.yaml');
  writeFileSync(
    path,
    TINY_YAML.replace('activations: [relu, {name: nrelu, sigma: 0.1}]', 'activations: [relu, gelu, elu]'),
  );
  const { config } = await loadConfig(path, ['seeds=[1,2,3,4,5,6]']);
  return expandGrid(config);
}

test('a setting decided at the first look stops; the baseline trains on while another setting needs it', async () => {
  const specs = await tinySpecs();
  // gelu is 10 pp below relu on every seed (decided "worse" at 3 seeds); elu differs by ±0.3 pp (undecided).
  const acc = (s: RunSpec): number =>
    s.setting === 'gelu' ? 0.8 + 1e-5 * s.seed : s.setting === 'elu' ? 0.9 + (s.seed % 2 ? 0.003 : -0.003) : 0.9;
  const trained: RunSpec[][] = [];
  const rows: Row[] = [];
  const record = await trainInLooks({
    specs,
    seeds: [1, 2, 3, 4, 5, 6],
    looks: [3, 6],
    marginPp: 0.2,
    baseline: 'relu',
    train: async (runs) => {
      trained.push(runs);
      for (const s of runs)
        rows.push({
          run_id: s.id,
          model: 'mlp',
          setting: s.setting,
          activation: s.setting,
          seed: String(s.seed),
          status: 'completed',
          final_test_acc: String(acc(s)),
        });
    },
    summary: async () => rows,
    stopped: () => false,
    log: () => {},
  });
  const ids = (runs: RunSpec[]): string[] => runs.map((s) => `${s.setting}${s.seed}`).sort();
  assert.deepEqual(ids(trained[0]), ['elu1', 'elu2', 'elu3', 'gelu1', 'gelu2', 'gelu3', 'relu1', 'relu2', 'relu3']);
  assert.deepEqual(
    ids(trained[1]),
    ['elu1', 'elu2', 'elu3', 'elu4', 'elu5', 'elu6', 'relu1', 'relu2', 'relu3', 'relu4', 'relu5', 'relu6'].filter(
      (x) => !/[123]$/.test(x),
    ),
  );
  assert.equal(trained.length, 2);
  const looks = record?.models[0].looks ?? [];
  assert.deepEqual(
    looks.map((l) => l.settings.map((s) => `${s.setting} ${s.decision}`)),
    [['gelu worse', 'elu continue'], ['elu inconclusive']],
  );
});

test('run --until-decided --looks 2,3 --max-seeds 3: decided at look 1, seed 3 never trains, the looks recorded', async () => {
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, TINY_YAML);
  const out = join(dir, 'grid');
  const bad = await runCli(['run', config, '--out', out, '--looks', '2,3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--looks and --max-seeds need --until-decided/);
  const args = ['run', config, '--out', out, '--jobs', '1', '--no-report', '--until-decided', '--looks', '2,3'];
  const r = await runCli([...args, '--max-seeds', '3']);
  assert.equal(r.code, 0, r.stderr);
  // The tiny runs of N-ReLU and ReLU end on the same test accuracy for seeds 1 and 2 (128 test images): zero
  // spread, so TOST decides "equivalent" at the first look, and neither N-ReLU nor ReLU trains seed 3.
  assert.match(r.stderr + r.stdout, /until decided: mlp look 1 \(2 seeds\): nrelu-s0\.1 equivalent/);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(Object.keys(manifest.runs).sort(), [
    'mlp-nrelu-s0.1-seed1',
    'mlp-nrelu-s0.1-seed2',
    'mlp-relu-seed1',
    'mlp-relu-seed2',
  ]);
  assert.deepEqual(manifest.config.seeds, [1, 2, 3], 'the planned seeds: the config’s, then the next');
  const seq = manifest.sequential;
  assert.ok(seq, 'manifest.json has the design');
  assert.deepEqual([seq.looks, seq.seeds, seq.marginPp], [[2, 3], [1, 2, 3], 0.2]);
  const looks = seq.models[0].looks;
  assert.deepEqual(
    looks.map((l) => l.settings.map((s) => `${s.setting} ${s.n} ${s.decision}`)),
    [['nrelu-s0.1 2 equivalent']],
  );
  // The family has one setting: its first Holm step is α itself, at information fraction 2/3.
  assert.equal(looks[0].superiorityZ, spendingBoundaries([2 / 3, 1], 0.05, 2)[0]);
  assert.ok((looks[0].superiorityZ ?? 0) > 2.4, 'an O’Brien–Fleming first look is stricter than 1.96');
  const md = readFileSync(join(out, 'comparison.md'), 'utf8');
  assert.match(md, /## Seeds until decided \(group-sequential design\)/);
  assert.match(md, /looks after 2, 3 seeds/);
  assert.match(md, /\| 1 \| 2 \| nrelu-s0\.1 \| 2 \| \+0\.00 \|.*\| equivalent \|/);
  // Running it again resumes: nothing trains, and `report` rebuilds comparison.md with the looks kept.
  const resumed = await runCli([...args, '--max-seeds', '3']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stdout + resumed.stderr, /\] mlp-/, 'no run trains again');
  const again = await runCli(['report', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(readFileSync(join(out, 'comparison.md'), 'utf8'), /looks after 2, 3 seeds/);
  // check --rerun retrains with the folder's looks: the same four runs, bit for bit.
  const rerun = join(dir, 'rerun');
  const check = await runCli(['check', rerun, '--reference', out, '--rerun', '--jobs', '1', '--tolerance', '0']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const rerunManifest = JSON.parse(readFileSync(join(rerun, 'manifest.json'), 'utf8')) as Manifest;
  assert.deepEqual(Object.keys(rerunManifest.runs).sort(), Object.keys(manifest.runs).sort());
});
