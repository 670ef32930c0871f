/**
 * The comparison's reference is configuration (issue 35): `compare.baseline` names the setting every other is paired
 * with, `compare.primary` the one whose test was named in advance. Changing the baseline is one config key: a tiny
 * grid with `compare: {baseline: gelu, primary: relu}` records both in manifest.json, and its comparison pairs every
 * setting with GELU (comparison.md, .csv, comparison-layers.csv), as the library does for a committed folder's rows.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare } from '../../src/report/comparison.js';
import { compareLayers } from '../../src/report/layers.js';
import { readRowsSync, resultPaths } from '../../src/results/files.js';
import { settingOf } from '../../src/results/pooling.js';
import { runCli } from '../helpers/cli.js';
import { TINY_YAML, writeTiny } from '../helpers/tiny-folder.js';

const tmp = mkdtempSync(join(tmpdir(), 'nrelu-baseline-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('compare() pairs every setting with the baseline it is given, and names it on every row', () => {
  const summary = readRowsSync(join('results', 'reference', 'summary.csv'));
  for (const baseline of ['relu', 'gelu']) {
    const rows = compare(summary, [], { baseline });
    for (const model of new Set(rows.map((r) => r.model))) {
      const mine = rows.filter((r) => r.model === model);
      const base = mine.find((r) => r.setting === baseline);
      assert.ok(base, `${model} has ${baseline}`);
      assert.equal(base.paired, null, `${model} ${baseline} is not paired with itself`);
      for (const r of mine.filter((x) => x !== base)) {
        assert.equal(r.baseline, baseline);
        assert.equal(r.deltaVsRelu, r.accMean - base.accMean, `${model} ${r.setting}: Δ vs ${baseline}`);
        assert.equal(r.paired?.n, 1, `${model} ${r.setting} pairs with ${baseline}'s seed`);
      }
    }
  }
  const dead = readRowsSync(join('results', 'reference', 'dead_neurons.csv'));
  const layers = compareLayers(summary, dead, 'gelu');
  assert.ok(layers.length > 0);
  assert.ok(layers.every((r) => r.setting !== 'gelu' && r.baseline === 'gelu'));
  assert.ok(
    layers.some((r) => r.setting === 'relu'),
    'relu is compared like any other setting',
  );
});

test('compare.primary names the primary comparison: only its row carries the unadjusted verdict', () => {
  const summary = readRowsSync(join('results', 'reference', 'summary.csv'));
  const rows = compare(summary, [], { primary: 'gelu' });
  assert.ok(rows.filter((r) => r.setting === 'gelu').every((r) => r.isPrimary && r.primaryVerdict !== null));
  assert.ok(rows.filter((r) => r.setting !== 'gelu').every((r) => !r.isPrimary && r.primaryVerdict === null));
});

test('compare.baseline: gelu in the YAML is recorded in manifest.json and every table pairs with GELU', async () => {
  const config = writeTiny(
    tmp,
    TINY_YAML.replace('activations: [relu,', 'activations: [relu, gelu,').replace('seeds: [1]', 'seeds: [1, 2]') +
      'compare: {baseline: gelu, primary: relu}\n',
  );
  const out = join(tmp, 'out');
  const r = await runCli(['run', config, '--out', out, '--jobs', '1']);
  assert.equal(r.code, 0, r.stderr);
  const paths = resultPaths(out);
  const manifest = JSON.parse(readFileSync(paths.manifest, 'utf8')) as { config: { compare: unknown } };
  assert.deepEqual(manifest.config.compare, { margin: 0.2, baseline: 'gelu', primary: 'relu' });
  const summary = readRowsSync(paths.summary);
  const acc = (setting: string): number => {
    const mine = summary.filter((s) => settingOf(s) === setting).map((s) => Number(s.final_test_acc));
    return mine.reduce((a, b) => a + b, 0) / mine.length;
  };
  const rows = new Map(readRowsSync(paths.comparisonCsv).map((c) => [c.setting, c]));
  assert.equal(rows.get('gelu')?.paired_n, '', 'the baseline is not paired');
  for (const setting of ['relu', 'nrelu-s0.1']) {
    assert.equal(rows.get(setting)?.paired_n, '2', `${setting} pairs with gelu by seed`);
    // comparison.csv writes 7 significant digits.
    assert.ok(Math.abs(Number(rows.get(setting)?.delta_vs_relu) - (acc(setting) - acc('gelu'))) < 1e-6, setting);
  }
  assert.notEqual(rows.get('relu')?.primary_verdict, '', 'relu is the primary comparison');
  assert.equal(rows.get('nrelu-s0.1')?.primary_verdict, '');
  const md = readFileSync(paths.comparison, 'utf8');
  assert.match(md, /\| Δ vs GELU \|/);
  assert.match(md, /Primary comparison \(relu − gelu, named in advance, unadjusted\)/);
  assert.match(md, /## Per layer, paired with GELU/);
  const layerSettings = new Set(readRowsSync(paths.comparisonLayersCsv).map((l) => l.setting));
  assert.deepEqual([...layerSettings].sort(), ['nrelu-s0.1', 'relu']);
});
