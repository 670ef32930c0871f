/**
 * One owner for the report step: `run`, `merge` and `report` end in the same library call (report/write.ts
 * `writeFolderReport`), so a folder's comparison.md, report.html and plots/ are the same bytes whichever wrote them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** The report files of a folder; Vega numbers clip paths across a process, so those numbers are left out. */
function reportFiles(dir: string): Record<string, string> {
  const files = [
    'comparison.md',
    'comparison.csv',
    'report.html',
    ...readdirSync(join(dir, 'plots')).map((f) => `plots/${f}`),
  ];
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8').replace(/clip\d+/g, 'clip')]));
}

test('run, report --html and merge --html write the same report of a folder (one report step)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-report-step-'));
  const config = join(dir, 'tiny.yaml');
  writeFileSync(
    config,
    `name: tiny
dataset: mnist-10k
models: [{model: mlp, hidden: [16]}]
backend: cpu
activations: [relu, {name: nrelu, sigma: 0.1}]
seeds: [1, 2]
train: {epochs: 2, batch_size: 64, train_samples: 256, test_samples: 128}
dead_neurons: {samples: 128}
`,
  );
  // The same folder name in each place: report.html is titled by it.
  const out = join(dir, 'run', 'tiny');
  const r = await runCli(['run', config, '--out', out, '--jobs', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`report: ${join(out, 'report.html')}`), r.stderr);
  assert.match(
    r.stdout,
    /Test accuracy per epoch:\nMLP {2}test accuracy per epoch/,
    'the sparklines follow the comparison',
  );
  const written = reportFiles(out);
  assert.ok(Object.keys(written).some((f) => f.startsWith('plots/')));

  const again = join(dir, 'report', 'tiny');
  cpSync(out, again, { recursive: true });
  rmSync(join(again, 'report.html'));
  rmSync(join(again, 'plots'), { recursive: true });
  const report = await runCli(['report', again, '--html']);
  assert.equal(report.code, 0, report.stderr);
  assert.deepEqual(reportFiles(again), written);

  const merged = join(dir, 'merge', 'tiny');
  const merge = await runCli(['merge', out, '--out', merged, '--html']);
  assert.equal(merge.code, 0, merge.stderr);
  assert.deepEqual(reportFiles(merged), written);
  rmSync(dir, { recursive: true, force: true });
});
