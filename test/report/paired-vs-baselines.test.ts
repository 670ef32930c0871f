import { test } from 'node:test';
import assert from 'node:assert/strict';
/** `nrelu-bench stats baselines` (report/paired-analyses.ts): each setting of one activation against each baseline. */
import { pairedVsBaselines, baselinesMarkdown, pv } from '../../src/report/paired-analyses.js';
import { holm, pairedTest } from '../../src/stats/paired.js';

type Acc = Record<number, number>;

function rows(
  model: string,
  activation: string,
  sigma: string,
  accs: Acc,
  status = 'completed',
): Record<string, string>[] {
  return Object.entries(accs).map(([seed, acc]) => ({
    model,
    activation,
    sigma,
    seed,
    status,
    final_test_acc: String(acc),
    run_id: `${model}-${activation}${sigma}-seed${seed}`,
  }));
}

const relu: Acc = { 1: 0.977, 2: 0.976, 3: 0.979, 4: 0.978 };
const gelu: Acc = { 1: 0.979, 2: 0.9785, 3: 0.9795, 4: 0.98 };
const n05: Acc = { 1: 0.9795, 2: 0.978, 3: 0.9805, 4: 0.979 };
const n10: Acc = { 1: 0.978, 2: 0.979, 3: 0.98, 4: 0.977 };
const bySeed = (a: Acc): Map<number, number> => new Map(Object.entries(a).map(([s, v]) => [Number(s), v]));

test('pairs every N-ReLU sigma with every baseline by seed, Holm over the whole family of one model', () => {
  const summary = [
    ...rows('mlp', 'relu', '', relu),
    ...rows('mlp', 'gelu', '', gelu),
    ...rows('mlp', 'nrelu', '0.05', n05),
    ...rows('mlp', 'nrelu', '0.1', n10),
    // A failed run does not pair, and another model is its own family.
    ...rows('mlp', 'nrelu', '0.2', { 1: 0.5 }, 'failed'),
    ...rows('cnn', 'relu', '', relu),
    ...rows('cnn', 'nrelu', '0.05', n05),
  ];
  const out = pairedVsBaselines(summary, { activation: 'nrelu', marginPp: 0.2 });
  const mlp = out.filter((r) => r.model === 'mlp');
  assert.deepEqual(
    mlp.map((r) => `${r.value}/${r.baseline}`),
    ['0.05/relu', '0.05/gelu', '0.1/relu', '0.1/gelu'],
  );
  const expected = [
    [n05, relu],
    [n05, gelu],
    [n10, relu],
    [n10, gelu],
  ].map(([a, b]) => pairedTest(bySeed(a), bySeed(b), 0.002));
  const adjusted = holm(expected.map((e) => e.p));
  const tostAdjusted = holm(expected.map((e) => e.tostP));
  mlp.forEach((r, i) => {
    assert.equal(r.n, 4);
    assert.ok(Math.abs(r.meanDiff - expected[i].meanDiff) < 1e-12);
    assert.equal(r.p, expected[i].p);
    assert.equal(r.pHolm, adjusted[i]);
    assert.equal(r.tostPHolm, tostAdjusted[i], 'TOST is Holm-adjusted over the same family');
    assert.notEqual(r.tostPHolm, r.tostP);
  });
  // N-ReLU 0.05 − ReLU: +0.25, +0.20, +0.15, +0.10 pp → mean +0.175 pp.
  assert.ok(Math.abs(mlp[0].meanDiff - 0.00175) < 1e-12);
  const cnn = out.filter((r) => r.model === 'cnn');
  assert.equal(cnn.length, 1);
  assert.equal(cnn[0].pHolm, cnn[0].p, 'a family of one test is not adjusted');
});

test('--values keeps only the named values of the varied parameter, compared as numbers', () => {
  const summary = [
    ...rows('mlp', 'relu', '', relu),
    ...rows('mlp', 'nrelu', '0.05', n05),
    ...rows('mlp', 'nrelu', '0.1', n10),
  ];
  const out = pairedVsBaselines(summary, { activation: 'nrelu', values: ['0.050'], marginPp: 0.2 });
  assert.deepEqual(
    out.map((r) => r.value),
    ['0.05'],
  );
  // Differences +0.25, +0.20, +0.15, +0.10 pp: t = 5.42 on 3 df, p = 0.012; the 90% interval
  // [+0.10, +0.25] pp crosses the +0.2 margin, so not equivalent but better.
  assert.match(
    baselinesMarkdown(out, { activation: 'nrelu' }),
    /\| 0\.05 \| relu \| 4 \| \+0\.18 \[\+0\.07, \+0\.28\] \| 0\.012 \| 0\.012 \| [^|]+ \| better \|/,
  );
});

test('--against pairs an annealed sigma with constant-sigma N-ReLU settings, picked by its schedule label', () => {
  const withSetting = (setting: string, sigma: string, accs: Acc) =>
    rows('mlp', setting === 'relu' ? 'relu' : 'nrelu', sigma, accs).map((r) => ({ ...r, setting }));
  const annealed: Acc = { 1: 0.98, 2: 0.979, 3: 0.981, 4: 0.978 };
  const summary = [
    ...withSetting('relu', '', relu),
    ...withSetting('nrelu-s0.1', '0.1', n10),
    ...withSetting('nrelu-s0.2to0-cosine', '0.2->0:cosine', annealed),
  ];
  const out = pairedVsBaselines(summary, {
    activation: 'nrelu',
    values: ['0.2->0:cosine'],
    marginPp: 0.2,
    against: ['relu', 'nrelu-s0.1'],
  });
  assert.deepEqual(
    out.map((r) => `${r.value}/${r.baseline}`),
    ['0.2->0:cosine/relu', '0.2->0:cosine/nrelu-s0.1'],
  );
  const vsConstant = pairedTest(bySeed(annealed), bySeed(n10), 0.002);
  assert.ok(Math.abs(out[1].meanDiff - vsConstant.meanDiff) < 1e-12);
  // Without --sigmas every N-ReLU setting pairs with the others, never with itself.
  const all = pairedVsBaselines(summary, { activation: 'nrelu', marginPp: 0.2, against: ['nrelu-s0.1'] });
  assert.deepEqual(
    all.map((r) => `${r.value}/${r.baseline}`),
    ['0.2->0:cosine/nrelu-s0.1'],
  );
});

test('--metric pairs another summary column in its own units: no equivalence test or verdict, empty cells left out', () => {
  const counts = (values: Record<number, string>) =>
    Object.entries(values).map(([seed, v]) => ({ model: 'mlp', seed, status: 'completed', total_revived: v }));
  const summary = [
    ...counts({ 1: '3', 2: '5', 3: '4', 4: '6' }).map((r) => ({
      ...r,
      activation: 'relu',
      sigma: '',
      setting: 'relu',
    })),
    ...counts({ 1: '9', 2: '12', 3: '', 4: '13' }).map((r) => ({
      ...r,
      activation: 'nrelu',
      sigma: '0.1',
      setting: 'nrelu-s0.1',
    })),
  ];
  const [row] = pairedVsBaselines(summary, {
    activation: 'nrelu',
    marginPp: 0.2,
    against: ['relu'],
    metric: 'total_revived',
  });
  // Seed 3 has no value: pairs are seeds 1, 2, 4 with differences 6, 7, 7.
  const t = pairedTest(
    new Map([
      [1, 9],
      [2, 12],
      [4, 13],
    ]),
    new Map([
      [1, 3],
      [2, 5],
      [4, 6],
    ]),
    0.002,
  );
  assert.deepEqual([row.n, row.meanDiff, row.ciLow, row.p], [3, t.meanDiff, t.ciLow, t.p]);
  assert.deepEqual([row.tostP, row.tostPHolm, row.verdict], [null, null, '']);
  const md = baselinesMarkdown([row], { activation: 'nrelu', metric: 'total_revived' });
  assert.match(md, /N-ReLU − baseline in total_revived/);
  assert.match(md, /\| 0\.1 \| relu \| 3 \| \+6\.67 \[/);
  // --decimals: fixed decimals, as results/README.md quotes them, and a sign on every number.
  const fixed = baselinesMarkdown([row], { activation: 'nrelu', metric: 'total_revived', decimals: 1 });
  assert.match(fixed, /\| 0\.1 \| relu \| 3 \| \+6\.7 \[\+\d+\.\d, \+\d+\.\d\] \|/);
  assert.match(
    baselinesMarkdown([{ ...row, meanDiff: -2.5, ciLow: -5.87, ciHigh: 0.874 }], {
      activation: 'nrelu',
      metric: 'total_revived',
      decimals: 1,
    }),
    /-2\.5 \[-5\.9, \+0\.9\]/,
  );
});

test('--against model:setting pairs with a setting of another model; the model filter keeps one family', () => {
  const withSetting = (model: string, setting: string, accs: Acc) =>
    rows(model, setting === 'relu' ? 'relu' : 'nrelu', setting === 'relu' ? '' : '0.1', accs).map((r) => ({
      ...r,
      setting,
    }));
  const summary = [
    ...withSetting('cnn', 'relu', gelu), // the merged ReLU runs
    ...withSetting('cnn', 'nrelu-s0.1', n10),
    ...withSetting('cnn-poolfirst', 'relu', relu), // trains as cnn's ReLU, with more columns
    ...withSetting('cnn-poolfirst', 'nrelu-s0.1', n05),
  ];
  const out = pairedVsBaselines(summary, {
    activation: 'nrelu',
    marginPp: 0.2,
    against: ['cnn-poolfirst:relu'],
    model: 'cnn',
  });
  assert.deepEqual(
    out.map((r) => `${r.model}/${r.baseline}`),
    ['cnn/cnn-poolfirst:relu'],
  );
  const expected = pairedTest(bySeed(n10), bySeed(relu), 0.002);
  assert.ok(Math.abs(out[0].meanDiff - expected.meanDiff) < 1e-12, 'paired with the other model, not cnn:relu');
  assert.equal(out[0].p, expected.p);
  // Without the filter, each model pairs with the named runs: cnn-poolfirst's N-ReLU too, in its own family.
  const both = pairedVsBaselines(summary, { activation: 'nrelu', marginPp: 0.2, against: ['cnn-poolfirst:relu'] });
  assert.deepEqual(
    both.map((r) => r.model),
    ['cnn', 'cnn-poolfirst'],
  );
});

test('p-values print with three decimals, and as "< 0.001" below that rather than a bare 0.000', () => {
  assert.equal(pv(0.0004), '< 0.001');
  assert.equal(pv(0.001), '0.001');
  assert.equal(pv(0.0123), '0.012');
  assert.equal(pv(null), '–');
});
