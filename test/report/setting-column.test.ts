import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRowsSync } from '../../src/results/files.js';
import { compare } from '../../src/report/comparison.js';
import { settingOf } from '../../src/results/pooling.js';
import { settingOrder } from '../../src/report/charts.js';

/**
 * A summary.csv as written before it had a `setting` column: results/reference's, with the column
 * cut out of the file (its fields hold no commas or quotes, so a split is exact).
 */
function oldFormatSummary(): string {
  const lines = readFileSync('results/reference/summary.csv', 'utf8').trimEnd().split('\n');
  assert.ok(!lines.some((l) => l.includes('"')), 'no quoted fields');
  const at = lines[0].split(',').indexOf('setting');
  assert.ok(at >= 0, 'the reference has the setting column');
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-old-summary-'));
  const path = join(dir, 'summary.csv');
  writeFileSync(
    path,
    `${lines
      .map((l) =>
        l
          .split(',')
          .filter((_, i) => i !== at)
          .join(','),
      )
      .join('\n')}\n`,
  );
  return path;
}
const old = readRowsSync(oldFormatSummary());

test('an old summary.csv (no setting column) and the same rows with it give the same comparison', () => {
  assert.ok(old.length > 0 && !('setting' in old[0]), 'the old-format file has no setting column');
  const withSetting = old.map((r) => ({ ...r, setting: settingOf(r) }));
  assert.deepEqual(compare(withSetting), compare(old));
  assert.deepEqual(settingOrder(withSetting), settingOrder(old));
  assert.deepEqual(settingOrder(old).slice(0, 3), ['relu', 'leaky_relu', 'prelu']);
});

test('the setting column, when present, is what groups and orders rows (no run-id parsing)', () => {
  // Run ids that no longer follow <model>-<setting>-seed<N> still land in their setting's row.
  const renamed = old.map((r, i) => ({ ...r, setting: settingOf(r), run_id: `run${i}` }));
  const rows = compare(renamed);
  assert.deepEqual(
    rows.map((r) => [r.model, r.setting]),
    compare(old).map((r) => [r.model, r.setting]),
  );
});
