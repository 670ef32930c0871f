/** merge refuses what it cannot combine honestly: mixed settings, mixed backends, same run with different results. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { readRowsSync } from '../../src/results/files.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const a = join(dir, 'a');
const b = join(dir, 'b');
const lr = join(dir, 'lr');

before(async () => {
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, tinyConfig().replace('eval: {robustness: {gaussian: [0.2]}}', ''));
  const common = ['activations=[relu]', 'train.epochs=1', '--jobs', '1', '--no-report'];
  const runs = await Promise.all([
    runCli(['run', config, '--out', a, 'seeds=[1]', ...common]),
    runCli(['run', config, '--out', b, 'seeds=[2]', ...common]),
    runCli(['run', config, '--out', lr, 'seeds=[2]', 'train.learning_rate=0.05', ...common]),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
});

/** A copy of folder `src` with `edit` applied to the text of some of its files. */
function copyWith(src: string, name: string, edit: Record<string, (text: string) => string>): string {
  const to = join(dir, name);
  cpSync(src, to, { recursive: true });
  for (const [file, f] of Object.entries(edit)) writeFileSync(join(to, file), f(readFileSync(join(to, file), 'utf8')));
  return to;
}

test('seeds from separate folders merge into one comparison row', async () => {
  const out = join(dir, 'ok');
  const r = await runCli(['merge', a, b, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    readRowsSync(join(out, 'summary.csv')).map((x) => x.run_id),
    ['mlp-relu-seed1', 'mlp-relu-seed2'],
  );
  assert.match(readFileSync(join(out, 'comparison.csv'), 'utf8'), /\nmlp,relu,relu,,2,/);
});

test('runs of one comparison row with different settings are refused, naming both and the setting', async () => {
  const out = join(dir, 'mixed');
  const r = await runCli(['merge', a, lr, '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /runs mlp-relu-seed1 \(.*\ba\) and mlp-relu-seed2 \(.*\blr\) share the comparison row 'mlp relu' but not its settings: train\.learningRate 0\.001 vs 0\.05/,
  );
  assert.equal(existsSync(join(out, 'summary.csv')), false, 'nothing written');
});

test('folders from different backends are refused unless --allow-mixed-backends', async () => {
  const wasm = copyWith(b, 'b-wasm', { 'manifest.json': (t) => t.replace('"name": "cpu"', '"name": "wasm"') });
  const out = join(dir, 'backends');
  const r = await runCli(['merge', a, wasm, '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /different backends: .*\ba \(cpu\), .*b-wasm \(wasm\)/);
  assert.equal(existsSync(join(out, 'summary.csv')), false);
  const allowed = await runCli(['merge', a, wasm, '--out', out, '--allow-mixed-backends']);
  assert.equal(allowed.code, 0, allowed.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual(
    manifest.mergedFrom.map((s: { backend: { name: string } }) => s.backend.name),
    ['cpu', 'wasm'],
  );
});

test('the same run with the same hash but different results is refused, naming the run and the cell', async () => {
  const acc = readRowsSync(join(a, 'summary.csv'))[0].final_test_acc;
  // A lower final accuracy: one above the run's best would be an impossible row (row-rules.ts).
  const other = copyWith(a, 'a-other', {
    'summary.csv': (t) => t.replace(`,${acc},`, ',0.01,'),
    'epochs.csv': (t) => t.replace(`,${acc},`, ',0.01,'),
  });
  const r = await runCli(['merge', a, other, '--out', join(dir, 'diff')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /run mlp-relu-seed1 has the same settings but different results in .*\ba and .*a-other \((epochs|summary)\.csv (test_acc|final_test_acc): [0-9.]+ vs 0\.01\)/,
  );
});

/** `text` (a CSV) without the column `name`: how a folder written before that column existed looks. */
function dropColumn(name: string): (text: string) => string {
  return (text) => {
    const rows = text
      .trimEnd()
      .split('\n')
      .map((line) => line.split(','));
    const at = rows[0].indexOf(name);
    assert.ok(at >= 0, `no column ${name}`);
    return `${rows.map((r) => r.filter((_, i) => i !== at).join(',')).join('\n')}\n`;
  };
}

test('a copy written before a column existed merges with a newer one, and the fuller copy is kept', async () => {
  const older = copyWith(a, 'a-older', { 'epochs.csv': dropColumn('grad_mean_abs') });
  for (const order of [
    [older, a],
    [a, older],
  ]) {
    const out = join(dir, `older-${order[0] === a ? 'a' : 'o'}`);
    const r = await runCli(['merge', ...order, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const kept = readRowsSync(join(out, 'epochs.csv'))[0].grad_mean_abs;
    assert.equal(kept, readRowsSync(join(a, 'epochs.csv'))[0].grad_mean_abs);
    assert.notEqual(kept, '');
  }
  // A cell both copies filled is still compared.
  const acc = readRowsSync(join(a, 'epochs.csv'))[0].test_acc;
  const wrong = copyWith(older, 'a-older-wrong', { 'epochs.csv': (t) => t.replace(`,${acc},`, ',0.5,') });
  const r = await runCli(['merge', a, wrong, '--out', join(dir, 'older-wrong')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /different results .*epochs\.csv test_acc: [0-9.]+ vs 0\.5/);
});

test("merge keeps eval.csv and the saved models; copies' evaluation modes are pooled, a differing one refused", async () => {
  const header = 'run_id,model,setting,seed,mode,passes,test_acc,test_loss,recorded_test_acc\n';
  const row = (mode: string, acc: string): string => `mlp-relu-seed1,mlp,relu,1,${mode},,${acc},0.3,0.9\n`;
  const det = copyWith(a, 'a-det', {});
  writeFileSync(join(det, 'eval.csv'), header + row('deterministic', '0.9') + row('mc:3', '0.92'));
  mkdirSync(join(det, 'models', 'mlp-relu-seed1'), { recursive: true });
  writeFileSync(join(det, 'models', 'mlp-relu-seed1', 'model.json'), '{"marker": 1}');
  const mc = copyWith(a, 'a-mc', {});
  writeFileSync(join(mc, 'eval.csv'), header + row('deterministic', '0.9') + row('mc:2', '0.91'));
  const out = join(dir, 'evals');
  const r = await runCli(['merge', det, mc, b, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    readRowsSync(join(out, 'eval.csv'))
      .map((x) => [x.run_id, x.mode, x.test_acc])
      .sort((x, y) => x[1].localeCompare(y[1])),
    [
      ['mlp-relu-seed1', 'deterministic', '0.9'],
      ['mlp-relu-seed1', 'mc:2', '0.91'],
      ['mlp-relu-seed1', 'mc:3', '0.92'],
    ],
  );
  assert.equal(readFileSync(join(out, 'models', 'mlp-relu-seed1', 'model.json'), 'utf8'), '{"marker": 1}');

  writeFileSync(join(mc, 'eval.csv'), header + row('deterministic', '0.8'));
  const refused = await runCli(['merge', det, mc, '--out', join(dir, 'evals-diff')]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /different results .*eval\.csv test_acc: 0\.9 vs 0\.8/);
});

test('a completed copy is preferred over a failed one, whichever folder comes first', async () => {
  const failed = copyWith(a, 'a-failed', {
    'summary.csv': (t) => t.replace(',completed,', ',failed,'),
    'manifest.json': (t) => t.replace('"status": "completed"', '"status": "failed"'),
  });
  for (const order of [
    [failed, a],
    [a, failed],
  ]) {
    const out = join(dir, `pref-${order[0] === a ? 'a' : 'f'}`);
    const r = await runCli(['merge', ...order, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readRowsSync(join(out, 'summary.csv'))[0].status, 'completed');
    assert.equal(
      JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).runs['mlp-relu-seed1'].status,
      'completed',
    );
    assert.equal(readFileSync(join(out, 'epochs.csv'), 'utf8'), readFileSync(join(a, 'epochs.csv'), 'utf8'));
  }
  // Even when the failed copy has more cells filled (a column the completed one was trained without).
  const older = copyWith(a, 'a-older-done', { 'epochs.csv': dropColumn('grad_mean_abs') });
  const out = join(dir, 'pref-older');
  const r = await runCli(['merge', older, failed, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readRowsSync(join(out, 'summary.csv'))[0].status, 'completed');
  assert.equal(readRowsSync(join(out, 'epochs.csv'))[0].grad_mean_abs, '', "the completed copy's rows");
});

test('merge --out into a folder with results refuses, saying what it would replace; --force replaces them', async () => {
  const target = copyWith(lr, 'target', {});
  const before = readFileSync(join(target, 'summary.csv'), 'utf8');
  const r = await runCli(['merge', a, b, '--out', target]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--out .*target is not empty: merging would replace the results of 1 run \(mlp-relu-seed2\)/);
  assert.match(r.stderr, /--force/);
  assert.equal(readFileSync(join(target, 'summary.csv'), 'utf8'), before, 'the folder is untouched');
  const forced = await runCli(['merge', a, b, '--out', target, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(
    readRowsSync(join(target, 'summary.csv')).map((x) => x.run_id),
    ['mlp-relu-seed1', 'mlp-relu-seed2'],
  );
});

test('a summary row repeated within a folder is kept once, by merge and by report', async () => {
  const twice = (t: string): string => t + t.split('\n').slice(1).join('\n');
  const dup = copyWith(a, 'dup', { 'summary.csv': twice, 'epochs.csv': twice });
  assert.equal(
    readFileSync(join(dup, 'summary.csv'), 'utf8').trim().split('\n').length,
    3,
    'the fixture has its row twice',
  );
  const out = join(dir, 'dedup');
  const r = await runCli(['merge', dup, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readRowsSync(join(out, 'summary.csv')).length, 1);
  assert.equal(readRowsSync(join(out, 'epochs.csv')).length, 1);
  assert.match(readFileSync(join(out, 'comparison.csv'), 'utf8'), /\nmlp,relu,relu,,1,/);
  const report = await runCli(['report', dup]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(readFileSync(join(dup, 'comparison.csv'), 'utf8'), /\nmlp,relu,relu,,1,/);
});

test('two different rows for one run in one folder are an error naming the file and the cell', async () => {
  const clash = copyWith(a, 'clash', {
    'summary.csv': (t) => t + t.split('\n')[1].replace(',completed,', ',diverged,') + '\n',
  });
  const r = await runCli(['merge', clash, '--out', join(dir, 'clash-out')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /clash\/summary\.csv: two rows for run_id mlp-relu-seed1 that differ in status \(completed vs diverged\)/,
  );
});

test('folders with different compare.margin are refused in either order unless --margin chooses one', async () => {
  const wide = copyWith(b, 'b-margin', {
    'manifest.json': (t) => {
      const m = JSON.parse(t) as { config: { compare?: { margin: number } } };
      m.config.compare = { margin: 0.5 };
      return JSON.stringify(m);
    },
  });
  for (const [i, order] of [
    [a, wide],
    [wide, a],
  ].entries()) {
    const r = await runCli(['merge', ...order, '--out', join(dir, `margin-${i}`)]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /different equivalence margins: .*\(0\.(2|5) pp\), .*\(0\.(2|5) pp\)/);
  }
  const chosen = await runCli(['merge', wide, a, '--out', join(dir, 'margin-chosen'), '--margin', '0.3']);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.equal(
    JSON.parse(readFileSync(join(dir, 'margin-chosen', 'manifest.json'), 'utf8')).config.compare.margin,
    0.3,
  );
});

test('folders compared against different baselines are refused: the merged verdicts would depend on the order', async () => {
  const gelu = copyWith(b, 'b-gelu', {
    'manifest.json': (t) => {
      const m = JSON.parse(t) as { config: { compare?: Record<string, unknown> } };
      m.config.compare = { ...m.config.compare, baseline: 'gelu' };
      return JSON.stringify(m);
    },
  });
  const r = await runCli(['merge', a, gelu, '--out', join(dir, 'baseline-out')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /compare against different settings \(baseline, primary\): .*\(relu, nrelu-s0\.1\), .*\(gelu, nrelu-s0\.1\)/,
  );
});

test("merge --out into its shards' parent folder, and again into a folder an earlier merge of the same inputs wrote, is allowed", async () => {
  const parent = join(dir, 'parent');
  const shards = [copyWith(a, 'parent/shard-0', {}), copyWith(b, 'parent/shard-1', {})];
  const first = await runCli(['merge', ...shards, '--out', parent]);
  assert.equal(first.code, 0, first.stderr);
  const again = await runCli(['merge', ...shards, '--out', parent]);
  assert.equal(again.code, 0, again.stderr);
  const other = await runCli(['merge', shards[0], '--out', parent]);
  assert.equal(other.code, 2, 'a merge of other inputs would replace runs it does not hold');
  assert.match(other.stderr, /is not empty: merging would replace the results of 2 runs/);
});

test('merge --only takes just the named runs, with their rows and manifest records; an id no folder holds is refused', async () => {
  const out = join(dir, 'only');
  const r = await runCli(['merge', a, b, '--only', 'mlp-relu-seed2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  for (const file of ['summary.csv', 'epochs.csv', 'dead_neurons.csv']) {
    assert.deepEqual([...new Set(readRowsSync(join(out, file)).map((x) => x.run_id))], ['mlp-relu-seed2'], file);
  }
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { runs: Record<string, unknown> };
  assert.deepEqual(Object.keys(manifest.runs), ['mlp-relu-seed2']);
  assert.match(readFileSync(join(out, 'comparison.csv'), 'utf8'), /\nmlp,relu,relu,,1,/);

  const typo = await runCli(['merge', a, b, '--only', 'mlp-relu-seed2,mlp-relu-seed9', '--out', join(dir, 'typo')]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--only: mlp-relu-seed9 is not in /);
  assert.equal(existsSync(join(dir, 'typo', 'summary.csv')), false, 'nothing written');
});
