/**
 * The committed result folders' comparison.md is what `nrelu-bench report` writes from their CSVs today, and its
 * per-layer tables carry one row per (layer, setting) of comparison-layers.csv. Issue 34 reported
 * results/mechanism-cnn/comparison.md with per-layer tables of headers only, though its comparison-layers.csv has 45
 * rows: each folder is copied to a temporary folder, rebuilt there (rebuildComparison, what `report` runs) and compared
 * byte for byte with the committed comparison.md (not the CSVs: folders committed before a column was added lack it), and the rebuilt Markdown's per-layer tables are counted against the CSV.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildComparison } from '../../src/report/write.js';
import { readRowsSync } from '../../src/results/files.js';

const FOLDERS = ['paper-mlp', 'paper-cnn', 'mechanism-mlp', 'mechanism-cnn', 'reference', 'fashion-mlp'];
const INPUTS = ['summary.csv', 'epochs.csv', 'dead_neurons.csv', 'eval.csv', 'robustness.csv', 'manifest.json'];

const tmp = mkdtempSync(join(tmpdir(), 'nrelu-committed-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The body rows of each `### MODEL` table under `## Per layer, paired with ReLU`: model -> rows of cells. */
function layerTables(md: string): Map<string, string[][]> {
  const start = md.indexOf('\n## Per layer, paired with ReLU\n');
  if (start < 0) return new Map();
  const rest = md.slice(start + 1);
  const end = rest.indexOf('\n## ', 1);
  const section = end < 0 ? rest : rest.slice(0, end);
  const out = new Map<string, string[][]>();
  let model: string | null = null;
  for (const line of section.split('\n')) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) {
      model = heading[1].toLowerCase();
      out.set(model, []);
    } else if (model && line.startsWith('|') && !line.startsWith('| layer |') && !line.startsWith('|---')) {
      (out.get(model) as string[][]).push(
        line
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim()),
      );
    }
  }
  return out;
}

for (const folder of FOLDERS) {
  test(`results/${folder}: report rebuilds the committed comparison.md byte for byte, every layer row in its table`, async () => {
    const src = join('results', folder);
    const dir = join(tmp, folder);
    for (const f of INPUTS) {
      try {
        cpSync(join(src, f), join(dir, f));
      } catch {
        // eval.csv and robustness.csv are optional.
      }
    }
    const md = await rebuildComparison(dir);
    assert.equal(md, readFileSync(join(src, 'comparison.md'), 'utf8').replace(/\n$/, ''), `${folder}/comparison.md`);
    const csv = readRowsSync(join(src, 'comparison-layers.csv'));
    assert.ok(csv.length > 0, `${folder}/comparison-layers.csv has rows`);
    const tables = layerTables(md);
    for (const model of new Set(csv.map((r) => r.model))) {
      const mine = csv.filter((r) => r.model === model);
      const pairs = [...new Set(mine.map((r) => `${r.layer} ${r.setting}`))];
      const rows = tables.get(model) ?? [];
      assert.equal(rows.length, pairs.length, `${folder} ${model}: one table row per (layer, setting) of the CSV`);
      for (const r of mine.filter((x) => x.metric === 'dead')) {
        const row = rows.find((cells) => cells[0].startsWith(`${r.layer} (`) && cells[1] === r.setting);
        assert.ok(row, `${folder} ${model}: a row for ${r.layer} ${r.setting}`);
        assert.equal(row[2], Number(r.mean).toFixed(1), `${folder} ${model} ${r.layer} ${r.setting}: dead mean`);
      }
    }
  });
}
