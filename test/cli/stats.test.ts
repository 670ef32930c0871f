/**
 * `nrelu-bench stats`: the paired analyses beyond the comparison table, on a committed folder. Their defaults are
 * the folder's comparison settings (manifest.json `compare`): the activation of `compare.primary` for `baselines`,
 * `compare.primary` and `compare.baseline` for `gap`; a bad column or reference model is a one-line usage error.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyFolder } from '../helpers/tiny-folder.js';

const tmp = mkdtempSync(join(tmpdir(), 'nrelu-stats-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a committed folder whose manifest's `compare` block is `compare`. */
function withCompare(folder: string, compare: Record<string, unknown>): string {
  return copyFolder(join('results', folder), join(tmp, `${folder}-${Object.values(compare).join('-')}`), {
    'manifest.json': (t) => {
      const m = JSON.parse(t) as { config: { compare?: Record<string, unknown> } };
      m.config.compare = { ...m.config.compare, ...compare };
      return JSON.stringify(m);
    },
  });
}

test('stats --help names both analyses and where their defaults come from', async () => {
  const r = await runCli(['stats', '--help']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.replace(/\s+/g, ' ');
  assert.match(text, /baselines \[options\] <results-dir> pair each setting of one activation with each of several/);
  assert.match(text, /gap \[options\] <results-dir> does a model change remove a setting's gap to the baseline\?/);
  assert.match(text, /compare\.margin and the defaults come from the folder's manifest\.json/);
  const gap = await runCli(['stats', 'gap', '--help']);
  assert.match(gap.stdout.replace(/\s+/g, ' '), /a difference in differences/);
});

test("stats baselines: each setting of the primary's activation against every other activation, Holm per model", async () => {
  const r = await runCli(['stats', 'baselines', 'results/paper-mlp']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^### MLP: N-ReLU − baseline, paired by seed \(Holm over 15 tests\)$/m);
  const rows = r.stdout.split('\n').filter((l) => /^\| 0\.\d+ \|/.test(l));
  assert.deepEqual(
    rows.slice(0, 5).map((l) => l.split('|')[2].trim()),
    ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu'],
  );
  assert.equal(rows.length, 15);
  // Another primary: its activation's settings are the ones paired, against every other activation's.
  const relu = await runCli(['stats', 'baselines', withCompare('mechanism-mlp', { primary: 'relu' })]);
  assert.equal(relu.code, 0, relu.stderr);
  assert.match(relu.stdout, /^### MLP: ReLU − baseline, paired by seed \(Holm over 3 tests\)$/m);
  assert.match(relu.stdout, /^\| relu \| nrelu-s0\.2to0-cosine \| 15 \|/m);
});

test("stats gap: the folder's compare.primary and compare.baseline by default, its first model the reference", async () => {
  const r = await runCli(['stats', 'gap', 'results/mechanism-cnn']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^nrelu-s0\.1 − relu per model \(pp\), and each model's gap − cnn's/);
  const other = await runCli(['stats', 'gap', withCompare('mechanism-cnn', { baseline: 'nrelu-s0.2' })]);
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stdout, /^nrelu-s0\.1 − nrelu-s0\.2 per model/);
  const bad = await runCli(['stats', 'gap', 'results/mechanism-cnn', '--reference', 'mlp']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: the reference model mlp has no completed nrelu-s0\.1 and relu runs\nhint: models/);
  const metric = await runCli(['stats', 'baselines', 'results/paper-mlp', '--metric', 'nope']);
  assert.equal(metric.code, 2);
  assert.match(metric.stderr, /--metric nope: results\/paper-mlp\/summary\.csv has no such column/);
});
