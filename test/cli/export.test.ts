/**
 * `export --format jsonl`: one JSON line per run and per epoch of a result folder (the committed results/reference),
 * each with the manifest's identity of its run, read back by pandas as the README's snippet does: the same runs,
 * epochs and numbers as the CSVs. Needs python3 with pandas (Debian's python3-pandas; .ci/run installs it).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { requires } from '../helpers/requires.js';
import { readRowsSync } from '../../src/results/files.js';
import { exportJsonl } from '../../src/results/export.js';

const REFERENCE = fileURLToPath(new URL('../../results/reference', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nrelu-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The first python3 that imports pandas (a pyenv's python3 may come first on PATH, Debian's is /usr/bin/python3). */
const python = ['python3', '/usr/bin/python3'].find(
  (p) => spawnSync(p, ['-c', 'import pandas'], { stdio: 'ignore', timeout: 60_000 }).status === 0,
);
const pandasMissing = python ? null : 'no python3 imports pandas: apt-get install python3-pandas';

const manifest = JSON.parse(readFileSync(join(REFERENCE, 'manifest.json'), 'utf8')) as {
  name: string;
  runs: Record<string, { hash: string }>;
};
const summary = readRowsSync(join(REFERENCE, 'summary.csv'));
const epochs = readRowsSync(join(REFERENCE, 'epochs.csv'));

test('export --format jsonl: a line per run and per epoch, each with its run identity and typed cells', async () => {
  const r = await runCli(['export', REFERENCE, '--format', 'jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.filter((l) => l.record === 'run').length, summary.length);
  assert.equal(lines.filter((l) => l.record === 'epoch').length, epochs.length);
  for (const l of lines) {
    assert.equal(l.config, manifest.name);
    assert.equal(l.run_hash, manifest.runs[l.run_id as string].hash, String(l.run_id));
    assert.equal(typeof l.seed, 'number');
  }
  assert.deepEqual(lines[0], {
    record: 'run',
    config: manifest.name,
    run_id: summary[0].run_id,
    run_hash: manifest.runs[summary[0].run_id].hash,
    setting_hash: null,
    nrelu_bench: '0.1.0',
    ...Object.fromEntries(
      Object.entries(summary[0])
        .filter(([k]) => k !== 'run_id')
        .map(([k, v]) => [k, v === '' ? null : /^[a-z]/.test(v) ? v : Number(v)]),
    ),
  });
  const bad = await runCli(['export', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: .* is not a result folder \(no manifest\.json or summary\.csv\)$/m);
  const format = await runCli(['export', REFERENCE, '--format', 'csv']);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /Allowed choices are jsonl/);
});

test(
  'the export round-trips through pandas (the README snippet): the same runs, epochs and accuracies',
  requires('python3 with pandas', pandasMissing),
  async () => {
    const file = join(dir, 'reference.jsonl');
    const r = await runCli(['export', REFERENCE, '--format', 'jsonl', '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    const script = `
import json, sys
import pandas as pd
rows = pd.read_json(sys.argv[1], lines=True, precise_float=True)
epochs = rows[rows.record == "epoch"]
runs = rows[rows.record == "run"].set_index("run_id")
print(json.dumps({
  "runs": sorted(runs.index),
  "configs": sorted(rows.config.unique()),
  "hashes": {k: v for k, v in runs.run_hash.items()},
  "final": {k: float(v) for k, v in runs.final_test_acc.items()},
  "epochs": [[r.run_id, int(r.epoch), float(r.test_acc), float(r.train_loss)] for r in epochs.itertuples()],
  "sigma_is_nan": bool(pd.isna(runs.loc["mlp-relu-seed1"].sigma)),
}))
`;
    const py = spawnSync(python as string, ['-c', script, file], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const got = JSON.parse(py.stdout) as {
      runs: string[];
      configs: string[];
      hashes: Record<string, string>;
      final: Record<string, number>;
      epochs: [string, number, number, number][];
      sigma_is_nan: boolean;
    };
    assert.deepEqual(got.runs, summary.map((s) => s.run_id).sort());
    assert.deepEqual(got.configs, [manifest.name]);
    for (const s of summary) {
      assert.equal(got.hashes[s.run_id], manifest.runs[s.run_id].hash);
      assert.equal(got.final[s.run_id], Number(s.final_test_acc));
    }
    assert.deepEqual(
      got.epochs,
      epochs.map((e) => [e.run_id, Number(e.epoch), Number(e.test_acc), Number(e.train_loss)]),
    );
    assert.ok(got.sigma_is_nan, "ReLU's empty sigma is missing (NaN or None) in pandas");
  },
);

test("export: a diverged epoch's NaN and Infinity are null (valid JSON), text columns stay text", async () => {
  const copy = join(dir, 'diverged');
  cpSync(REFERENCE, copy, { recursive: true });
  const file = join(copy, 'epochs.csv');
  const lines = readFileSync(file, 'utf8').split('\n');
  const cols = lines[0].split(',');
  const cells = lines[1].split(',');
  cells[cols.indexOf('train_loss')] = 'NaN';
  cells[cols.indexOf('test_loss')] = 'Infinity';
  lines[1] = cells.join(',');
  writeFileSync(file, lines.join('\n'));
  const first = (await exportJsonl(copy))
    .split('\n')
    .map((l) => (l ? (JSON.parse(l) as Record<string, unknown>) : null))
    .find((l) => l?.record === 'epoch');
  assert.equal(first?.train_loss, null);
  assert.equal(first?.test_loss, null);
  assert.equal(first?.model, 'mlp');
  assert.equal(first?.train_acc, Number(cells[cols.indexOf('train_acc')]));
});
