/**
 * comparison.csv / comparison.md with the paired statistics, against independent reference values
 * (SciPy 1.10.1 and statsmodels 0.13.5, printed by `/usr/bin/python3 test/stats/paired-reference.py`,
 * section TABLE). One MLP table: ReLU's seed 5 diverged, so every setting's seed 5 is unpaired; leaky_relu
 * equals ReLU exactly (zero variance); nrelu-s0.1 has two seeds (n = 2).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { comparisonBaseColumns, compare } from '../../src/report/comparison.js';
import {
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

const RELU = { 1: 0.9812, 2: 0.9806, 3: 0.9821, 4: 0.9809 };
const TABLE: [string, string, string, Record<number, number>][] = [
  ['relu', 'relu', '', RELU],
  ['leaky_relu', 'leaky_relu', '', { ...RELU }],
  ['gelu', 'gelu', '', { 1: 0.9818, 2: 0.9815, 3: 0.9823, 4: 0.9817, 5: 0.9819 }],
  ['nrelu-s0.05', 'nrelu', '0.05', { 1: 0.9801, 2: 0.9799, 3: 0.979, 4: 0.9808, 5: 0.9802 }],
  ['nrelu-s0.1', 'nrelu', '0.1', { 1: 0.9815, 2: 0.9822 }],
];

function summaryRows(): Record<string, CellValue>[] {
  const rows: Record<string, CellValue>[] = [];
  for (const [setting, activation, sigma, accs] of TABLE) {
    // Seeds in descending order, so pairing by position instead of by seed would go wrong.
    for (const [seed, acc] of Object.entries(accs).reverse()) {
      rows.push({
        run_id: `mlp-${setting}-seed${seed}`,
        model: 'mlp',
        activation,
        sigma,
        seed,
        status: 'completed',
        epochs: 10,
        final_test_acc: acc,
        best_test_acc: acc,
        final_test_loss: 0.07,
        final_dead: 3,
        units: 384,
        train_seconds: 60,
        backend: 'wasm',
      });
    }
  }
  rows.push({
    run_id: 'mlp-relu-seed5',
    model: 'mlp',
    activation: 'relu',
    sigma: '',
    seed: 5,
    status: 'diverged',
    epochs: 2,
    backend: 'wasm',
  });
  return rows;
}

async function folder(margin?: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nrelu-cmp-'));
  dirs.push(dir);
  await writeRows(
    resultPaths(dir).summary,
    SUMMARY_COLUMNS.filter((c) => (!c.startsWith('final_d') && !c.startsWith('final_z')) || c === 'final_dead'),
    summaryRows(),
  );
  const config = margin === undefined ? { dataset: 'synthetic' } : { dataset: 'synthetic', compare: { margin } };
  await writeFile(resultPaths(dir).manifest, JSON.stringify({ name: 't', config, runs: {} }));
  return dir;
}

/** CSV cells carry 7 significant digits (formatCell), so agreement to 1e-6 relative. */
function close(cell: string | number | null | undefined, expected: number, what: string, rel = 1e-6): void {
  const v = Number(cell);
  assert.ok(
    cell !== undefined &&
      cell !== null &&
      cell !== '' &&
      Math.abs(v - expected) <= Math.max(1e-15, rel * Math.abs(expected)),
    `${what}: ${cell} vs reference ${expected}`,
  );
}

test("comparison.csv: paired columns per setting match SciPy/statsmodels, with Holm over the model's settings", async () => {
  const dir = await folder();
  const order = summaryRows().map((r) => String(r.run_id));
  const md = await writeComparison(dir, order, 't');
  const text = await readFile(resultPaths(dir).comparisonCsv, 'utf8');
  assert.equal(text.split('\n')[0], comparisonBaseColumns().join(','));
  const rows = new Map((await readRows(resultPaths(dir).comparisonCsv)).map((r) => [r.setting, r]));
  const relu = rows.get('relu') as Row;
  for (const c of ['paired_n', 'paired_diff_mean', 'paired_p', 'paired_p_holm', 'tost_p', 'margin', 'verdict'])
    assert.equal(relu[c], '', `relu ${c}`);
  assert.equal(relu.n, '4');
  assert.equal(relu.not_completed, '1');

  // leaky_relu == relu on every seed: zero variance, p undefined (SciPy: nan), TOST 0, out of the Holm family
  const leaky = rows.get('leaky_relu') as Row;
  assert.equal(leaky.paired_n, '4');
  assert.equal(Number(leaky.paired_diff_mean), 0);
  assert.equal(Number(leaky.paired_diff_ci95_low), 0);
  assert.equal(leaky.paired_p, '');
  assert.equal(leaky.paired_p_holm, '');
  assert.equal(Number(leaky.tost_p), 0);
  assert.equal(leaky.verdict, 'equivalent (±0.2)');
  close(leaky.p_vs_relu, 1.0, 'leaky Welch');

  const ref: Record<
    string,
    {
      n: number;
      mean: number;
      sd: number;
      lo: number;
      hi: number;
      p: number;
      holm: number;
      tost: number;
      welch: number;
      verdict: string;
      extra: string;
    }
  > = {
    gelu: {
      n: 4,
      mean: 0.0006250000000000144,
      sd: 0.00030956959368346186,
      lo: 0.0001324056951768726,
      hi: 0.0011175943048231563,
      p: 0.027325451394256437,
      holm: 0.08197635418276931,
      tost: 0.0015040133497668587,
      welch: 0.1414844438773036,
      verdict: 'equivalent (±0.2)',
      extra: '5',
    },
    'nrelu-s0.05': {
      n: 4,
      mean: -0.0012500000000000011,
      sd: 0.0012999999999999947,
      lo: -0.0033185900984347635,
      hi: 0.0008185900984347613,
      p: 0.1501831220969434,
      holm: 0.3003662441938868,
      tost: 0.16607128359599535,
      welch: 0.030158747220240038,
      verdict: 'inconclusive',
      extra: '5',
    },
    'nrelu-s0.1': {
      n: 2,
      mean: 0.0009500000000000064,
      sd: 0.0009192388155424105,
      lo: -0.007309033078679944,
      hi: 0.009209033078679957,
      p: 0.3820038302649081,
      holm: 0.3820038302649081,
      tost: 0.17644155602672287,
      welch: 0.27314046501571104,
      verdict: 'inconclusive',
      extra: '',
    },
  };
  for (const [setting, e] of Object.entries(ref)) {
    const r = rows.get(setting) as Row;
    assert.equal(r.paired_n, String(e.n), setting);
    close(r.paired_diff_mean, e.mean, `${setting} mean`);
    close(r.paired_diff_std, e.sd, `${setting} sd`);
    close(r.paired_diff_ci95_low, e.lo, `${setting} ci low`);
    close(r.paired_diff_ci95_high, e.hi, `${setting} ci high`);
    close(r.paired_p, e.p, `${setting} paired p`);
    close(r.paired_p_holm, e.holm, `${setting} Holm p`);
    close(r.tost_p, e.tost, `${setting} TOST p`);
    close(r.p_vs_relu, e.welch, `${setting} Welch p`);
    assert.equal(Number(r.margin), 0.002);
    assert.equal(r.verdict, e.verdict, setting);
    assert.equal(r.seeds_without_relu, e.extra, `${setting}: seeds without a ReLU partner`);
    assert.equal(
      r.relu_seeds_without_this,
      setting === 'nrelu-s0.1' ? '3 4' : '',
      `${setting}: ReLU seeds without a partner`,
    );
  }
  // TOST p-values Holm-adjusted over the same settings (statsmodels multipletests over leaky_relu, gelu, nrelu-s0.05, nrelu-s0.1).
  assert.equal(Number(leaky.tost_p_holm), 0);
  close(rows.get('gelu')?.tost_p_holm, 0.004512040049300576, 'gelu TOST Holm');
  close(rows.get('nrelu-s0.05')?.tost_p_holm, 0.3321425671919907, 'nrelu-s0.05 TOST Holm');
  close(rows.get('nrelu-s0.1')?.tost_p_holm, 0.3321425671919907, 'nrelu-s0.1 TOST Holm');
  assert.equal(relu.tost_p_holm, '');
  // Unrounded, in memory: 1e-9 relative.
  const gelu = compare(await readRows(resultPaths(dir).summary)).find((r) => r.setting === 'gelu');
  close(gelu?.paired?.meanDiff, ref.gelu.mean, 'gelu mean', 1e-9);
  close(gelu?.paired?.sdDiff, ref.gelu.sd, 'gelu sd', 1e-9);
  close(gelu?.paired?.ciLow, ref.gelu.lo, 'gelu ci low', 1e-9);
  close(gelu?.paired?.p, ref.gelu.p, 'gelu p', 1e-9);
  close(gelu?.pairedPHolm, ref.gelu.holm, 'gelu Holm', 1e-9);
  close(gelu?.paired?.tostP, ref.gelu.tost, 'gelu TOST', 1e-9);
  // The Markdown says which seeds were not paired rather than pairing them wrongly.
  assert.match(
    md,
    /\| gelu \| – \| [^|]+ \| [^|]+ \| 5 \| \+0\.06 \| 0\.141 \| \+0\.06 \[\+0\.01, \+0\.11\] \(4 pairs\) \| 0\.027 \| 0\.082 \| 0\.005 \| equivalent \(±0\.2\) \|/,
  );
  assert.match(
    md,
    /Not paired: MLP gelu: seed 5 of gelu has no completed ReLU run; the paired columns use the 4 common seeds only\./,
  );
  assert.match(
    md,
    /Not paired: MLP nrelu-s0\.1: ReLU seeds 3, 4 have no completed nrelu-s0\.1 run; the paired columns use the 2 common seeds only\./,
  );
});

test("compare.margin from the folder's manifest sets the verdicts; without it the default 0.2 pp applies", async () => {
  const tight = await folder(0.05);
  await writeComparison(
    tight,
    summaryRows().map((r) => String(r.run_id)),
    't',
  );
  const rows = new Map((await readRows(resultPaths(tight).comparisonCsv)).map((r) => [r.setting, r]));
  // gelu: +0.0625 pp, not within ±0.05 pp, and Holm p 0.082 > 0.05: inconclusive
  assert.equal(rows.get('gelu')?.verdict, 'inconclusive');
  assert.equal(Number(rows.get('gelu')?.margin), 0.0005);
  assert.equal(rows.get('leaky_relu')?.verdict, 'equivalent (±0.05)');
  // The same rows in memory, default margin.
  const summary = await readRows(resultPaths(tight).summary);
  assert.equal(compare(summary).find((r) => r.setting === 'gelu')?.verdict, 'equivalent');
  assert.equal(compare(summary, [], { margin: 0.01 }).find((r) => r.setting === 'gelu')?.marginPp, 0.01);
});

test('equivalence is judged on the Holm-adjusted TOST p: gelu at ±0.12 pp is equivalent alone (0.017) but not in its family (0.051)', async () => {
  const dir = await folder(0.12);
  await writeComparison(
    dir,
    summaryRows().map((r) => String(r.run_id)),
    't',
  );
  const rows = new Map((await readRows(resultPaths(dir).comparisonCsv)).map((r) => [r.setting, r]));
  const gelu = rows.get('gelu') as Row;
  close(gelu.tost_p, 0.01696396902816939, 'gelu TOST at 0.12 pp');
  close(gelu.tost_p_holm, 0.050891907084508164, 'gelu TOST Holm at 0.12 pp');
  assert.equal(gelu.verdict, 'inconclusive'); // and its Holm paired p, 0.082, is no difference either
  close(rows.get('nrelu-s0.05')?.tost_p_holm, 0.7662498774952953, 'nrelu-s0.05 TOST Holm at 0.12 pp');
  assert.equal(rows.get('leaky_relu')?.verdict, 'equivalent (±0.12)');
});

test('the primary comparison (nrelu-s0.1 vs relu) is judged on its unadjusted p-values and reported apart', async () => {
  const dir = await folder();
  const md = await writeComparison(
    dir,
    summaryRows().map((r) => String(r.run_id)),
    't',
  );
  const rows = new Map((await readRows(resultPaths(dir).comparisonCsv)).map((r) => [r.setting, r]));
  // n = 2: paired p 0.382, TOST p 0.176 (statsmodels), so inconclusive unadjusted too; only its row carries it.
  assert.equal(rows.get('nrelu-s0.1')?.primary_verdict, 'inconclusive');
  for (const s of ['relu', 'leaky_relu', 'gelu', 'nrelu-s0.05']) assert.equal(rows.get(s)?.primary_verdict, '', s);
  assert.match(
    md,
    /Primary comparison \(nrelu-s0\.1 − relu, named in advance, unadjusted\): paired Δ \+0\.10 \[-0\.73, \+0\.92\] \(2 pairs\) pp, paired p 0\.382, TOST p 0\.176 \(±0\.2 pp\): inconclusive\./,
  );
  // gelu's unadjusted TOST p at ±0.12 pp (0.017) would make it equivalent: the primary rule reads unadjusted p-values.
  const { compare: cmp } = await import('../../src/report/comparison.js');
  const summary = await readRows(resultPaths(dir).summary);
  const asPrimary = summary.map((r) =>
    r.run_id.startsWith('mlp-gelu-')
      ? { ...r, setting: 'nrelu-s0.1', run_id: r.run_id.replace('gelu', 'x') }
      : r.run_id.startsWith('mlp-nrelu-s0.1-')
        ? { ...r, setting: 'other' }
        : r,
  );
  const row = cmp(asPrimary, [], { margin: 0.12 }).find((r) => r.setting === 'nrelu-s0.1');
  assert.equal(row?.primaryVerdict, 'equivalent');
  assert.equal(row?.verdict, 'inconclusive');
});

test('the paired chart notes fewer pairs by the same rule as the table: either side has seeds the other lacks', async () => {
  const { pairedPoints } = await import('../../src/report/paired-chart.js');
  const { pairedCell } = await import('../../src/report/comparison.js');
  const rows = compare(
    summaryRows().map(
      (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v == null ? '' : String(v)])) as Row,
    ),
  );
  const relu = rows.find((r) => r.setting === 'relu');
  const labels = new Map(pairedPoints(rows).map((p) => [p.setting, p.label]));
  // leaky_relu has exactly ReLU's completed seeds 1-4: no note. gelu has a seed 5 ReLU lacks; nrelu-s0.1
  // lacks ReLU's seeds 3 and 4 (the case only the ReLU side shows): both noted, in chart and table alike.
  assert.ok(!/pairs?\)/.test(labels.get('leaky_relu') ?? ''), labels.get('leaky_relu'));
  assert.match(labels.get('gelu') ?? '', /\(4 pairs\)/);
  assert.match(labels.get('nrelu-s0.1') ?? '', /\(2 pairs\)/);
  for (const r of rows.filter((x) => x.setting !== 'relu')) {
    assert.equal(
      /\(\d+ pairs?\)/.test(pairedCell(r, relu)),
      /\(\d+ pairs?\)/.test(labels.get(r.setting) ?? ''),
      r.setting,
    );
  }
});
