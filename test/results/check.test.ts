/** check's failure output: every kind of difference is found and named, and long tables are cut off. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResults, missingRunsSummary, renderDifferences, type Difference } from '../../src/results/check.js';
import { runCli } from '../helpers/cli.js';

const REFERENCE = fileURLToPath(new URL('../../results/reference/', import.meta.url));

/** A copy of the reference with `edit` applied to some files' text. */
function edited(edit: Record<string, (text: string) => string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'nrelu-check-')), 'copy');
  cpSync(REFERENCE, dir, { recursive: true });
  for (const [file, f] of Object.entries(edit))
    writeFileSync(join(dir, file), f(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

const lines = (text: string, keep: (l: string) => boolean): string => text.split('\n').filter(keep).join('\n');
const notRun =
  (id: string) =>
  (text: string): string =>
    lines(text, (l) => !l.startsWith(`${id},`));

test('the reference matches itself', async () => {
  const r = await checkResults(REFERENCE, REFERENCE, 0);
  assert.deepEqual(r.differences, []);
  assert.equal(r.runs, 14);
});

test('a missing run and an extra run are both reported, and only once each', async () => {
  const dir = edited({
    'summary.csv': (t) =>
      // The extra run's row with its own seed cell (a row's seed must be its run id's).
      notRun('mlp-gelu-seed1')(t).replace(
        /\nmlp-relu-seed1,([^\n]*)/,
        (m, rest: string) => `${m}\nmlp-relu-seed9,${rest.replace(/^(mlp,relu,[^,]*,)1,/, '$19,')}`,
      ),
    'epochs.csv': notRun('mlp-gelu-seed1'),
    'dead_neurons.csv': notRun('mlp-gelu-seed1'),
    'robustness.csv': notRun('mlp-gelu-seed1'),
  });
  const { differences } = await checkResults(dir, REFERENCE, 0.002);
  assert.deepEqual(
    differences.map((d) => [d.run, d.column, d.expected, d.actual]),
    [
      ['mlp-gelu-seed1', 'run', 'present', 'missing'],
      ['mlp-relu-seed9', 'run', 'absent', 'present'],
    ],
  );
});

test('a status change, a config hash change, an accuracy beyond the tolerance, a per-layer count and a robustness row are each named', async () => {
  const manifest = JSON.parse(readFileSync(join(REFERENCE, 'manifest.json'), 'utf8'));
  manifest.runs['mlp-prelu-seed1'].hash = `0000${manifest.runs['mlp-prelu-seed1'].hash.slice(4)}`;
  const dir = edited({
    'summary.csv': (t) => t.replace(/^(mlp-leaky_relu-seed1,[^,]*,[^,]*,[^,]*,[^,]*,)completed,/m, '$1diverged,'),
    'manifest.json': () => JSON.stringify(manifest),
    'epochs.csv': (t) =>
      t.replace(
        /^(cnn-relu-seed1,cnn,relu,,1,2,[^,]*,[^,]*,[^,]*,)([^,]*),/m,
        (_m, head: string, acc: string) => `${head}${(Number(acc) + 0.01).toFixed(3)},`,
      ),
    'dead_neurons.csv': (t) =>
      t.replace(
        /^(cnn-gelu-seed1,2,conv_2,)(\d+),/m,
        (_m, head: string, dead: string) => `${head}${Number(dead) + 1},`,
      ),
    'robustness.csv': (t) =>
      notRun('cnn-rrelu-seed1')(t).replace(
        /^(mlp-rrelu-seed1,0\.2,)([0-9.]+)/m,
        (_m, head: string, acc: string) => `${head}${(Number(acc) - 0.05).toFixed(3)}`,
      ),
  });
  const { differences } = await checkResults(dir, REFERENCE, 0.002);
  const got = differences.map((d) => `${d.run} ${d.epoch} ${d.column}`);
  assert.deepEqual(got.sort(), [
    'cnn-gelu-seed1 2 dead (conv_2)',
    'cnn-relu-seed1 2 test_acc',
    'cnn-rrelu-seed1 noise=0.2 test_acc',
    'mlp-leaky_relu-seed1 - status',
    'mlp-prelu-seed1 - config hash',
    'mlp-rrelu-seed1 noise=0.2 test_acc',
  ]);
  const missingNoise = differences.find((d) => d.run === 'cnn-rrelu-seed1');
  assert.equal(missingNoise?.actual, 'missing');
  const table = renderDifferences(differences);
  assert.match(table, /^run +epoch +column +expected +actual +diff$/m);
  assert.match(table, /^cnn-relu-seed1 +2 +test_acc +[0-9.]+ +[0-9.]+ +0\.01$/m, 'the numeric difference is shown');
  assert.match(table, /^mlp-leaky_relu-seed1 +- +status +completed +diverged *$/m);
});

test('a count tolerance lets unit counts move by that many units and names each that moved; units stay exact', async () => {
  const dir = edited({
    // epochs.csv columns 10-11 are dead and units, 15 dormant.
    'epochs.csv': (t) =>
      t
        .replace(
          /^(mlp-relu-seed1,(?:[^,]*,){9})(\d+),(\d+),((?:[^,]*,){3})(\d+),/m,
          (_m, head: string, dead: string, units: string, mid: string, dormant: string) =>
            `${head}${dead},${units},${mid}${Number(dormant) + 1},`,
        )
        .replace(
          /^(mlp-gelu-seed1,(?:[^,]*,){10})(\d+),/m,
          (_m, head: string, units: string) => `${head}${Number(units) + 1},`,
        ),
    'dead_neurons.csv': (t) =>
      t
        .replace(
          /^(cnn-gelu-seed1,2,conv_2,)(\d+),/m,
          (_m, head: string, dead: string) => `${head}${Number(dead) + 2},`,
        )
        .replace(
          /^(mlp-relu-seed1,1,dense_1,)(\d+),/m,
          (_m, head: string, dead: string) => `${head}${Number(dead) - 1},`,
        ),
  });
  const exact = await checkResults(dir, REFERENCE, 0.002);
  assert.deepEqual(exact.differences.map((d) => `${d.run} ${d.epoch} ${d.column}`).sort(), [
    'cnn-gelu-seed1 2 dead (conv_2)',
    'mlp-gelu-seed1 1 units',
    'mlp-relu-seed1 1 dead (dense_1)',
    'mlp-relu-seed1 1 dormant',
  ]);
  assert.deepEqual(exact.moved, []);
  const loose = await checkResults(dir, REFERENCE, 0.002, undefined, { countTolerance: 1 });
  assert.deepEqual(loose.differences.map((d) => `${d.run} ${d.epoch} ${d.column}`).sort(), [
    'cnn-gelu-seed1 2 dead (conv_2)',
    'mlp-gelu-seed1 1 units',
  ]);
  assert.deepEqual(loose.moved?.map((d) => `${d.run} ${d.epoch} ${d.column} ${d.expected}->${d.actual}`).sort(), [
    'mlp-relu-seed1 1 dead (dense_1) 2->1',
    'mlp-relu-seed1 1 dormant 12->13',
  ]);
  const cli = await runCli(['check', dir, '--reference', REFERENCE, '--count-tolerance', '2']);
  assert.equal(cli.code, 1, 'units still differ');
  assert.match(cli.stdout, /^mlp-relu-seed1 +1 +dormant +12 +13 +1$/m);
  assert.match(cli.stdout, /3 count\(s\) moved within --count-tolerance 2/);
});

test('within the tolerance is a match; a long table is cut off with a count of the rest', async () => {
  const dir = edited({
    'epochs.csv': (t) =>
      t.replace(
        /^(mlp-relu-seed1,mlp,relu,,1,1,[^,]*,[^,]*,[^,]*,)([^,]*),/m,
        (_m, h: string, acc: string) => `${h}${Number(acc) + 0.0015},`,
      ),
  });
  assert.deepEqual((await checkResults(dir, REFERENCE, 0.002)).differences, []);
  assert.equal((await checkResults(dir, REFERENCE, 0.001)).differences.length, 1);

  const differences = Array.from({ length: 7 }, (_, i) => ({
    run: `r${i}`,
    epoch: '1',
    column: 'test_acc',
    expected: '0.5',
    actual: '0.6',
  }));
  const table = renderDifferences(differences, 5).split('\n');
  assert.equal(table.length, 2 + 5 + 1);
  assert.equal(table.at(-1), '... and 2 more');
});

test('the CLI prints the table and a DIFFERENT line, and exits 1', async () => {
  const dir = edited({
    'summary.csv': (t) => t.replace(/^(mlp-gelu-seed1,[^,]*,[^,]*,[^,]*,[^,]*,)completed,/m, '$1failed,'),
  });
  const r = await runCli(['check', dir, '--reference', REFERENCE]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^mlp-gelu-seed1 +- +status +completed +failed/m);
  assert.match(r.stdout, /^DIFFERENT: 1 difference\(s\) in 1 run\(s\) between /m);
});

test('an edited summary.csv (which every table reads) is a difference naming the run and the column', async () => {
  const dir = edited({
    'summary.csv': (t) => t.replace(/^(mlp-relu-seed1,(?:[^,]*,){6})([0-9.]+),/m, '$10.703,'),
  });
  const { differences } = await checkResults(dir, REFERENCE, 0.002);
  assert.deepEqual(
    differences.map((d) => [d.run, d.column, d.actual]),
    [['mlp-relu-seed1', 'summary final_test_acc', '0.703']],
  );
});

test('check of a folder against itself is an error, not OK', async () => {
  const r = await runCli(['check', REFERENCE, '--reference', join(REFERENCE, '.')]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /is the reference itself: a folder always matches itself/);
  assert.doesNotMatch(r.stdout, /OK/);
});

test('eval.csv: compared per run and mode when the checked folder has one; otherwise a note says why not', async () => {
  const evalCsv = [
    'run_id,model,setting,seed,mode,passes,test_acc,test_loss,recorded_test_acc',
    'mlp-relu-seed1,mlp,relu,1,deterministic,,0.9700,0.1000,0.9700',
    'mlp-nrelu-s0.1-seed1,mlp,nrelu-s0.1,1,deterministic,,0.9650,0.1100,0.9650',
    'mlp-nrelu-s0.1-seed1,mlp,nrelu-s0.1,1,mc:20,20,0.9660,0.1050,0.9650',
    '',
  ].join('\n');
  const withEval = (text: string): string => {
    const dir = edited({});
    writeFileSync(join(dir, 'eval.csv'), text);
    return dir;
  };
  const reference = withEval(evalCsv);

  const none = await checkResults(edited({}), reference, 0.002);
  assert.deepEqual(none.differences, []);
  assert.match((none.notes ?? []).join('\n'), /eval\.csv: not compared, .* has none/);

  const same = await checkResults(withEval(evalCsv), reference, 0);
  assert.deepEqual([same.differences, same.notes], [[], []]);

  const changed = evalCsv
    .replace('mc:20,20,0.9660', 'mc:20,20,0.9600') // beyond the tolerance
    .replace('1,deterministic,,0.9700,0.1000', '1,deterministic,,0.9710,0.1000') // within it
    .replace(/^mlp-nrelu-s0\.1-seed1,[^\n]*,deterministic,[^\n]*\n/m, '') // a mode row missing
    .concat('mlp-relu-seed1,mlp,relu,1,mc:5,5,0.9700,0.1000,0.9700\n'); // and one extra
  const { differences } = await checkResults(withEval(changed), reference, 0.002);
  assert.deepEqual(differences.map((d) => `${d.run} ${d.epoch} ${d.column} ${d.expected} ${d.actual}`).sort(), [
    'mlp-nrelu-s0.1-seed1 mode=deterministic eval row present missing',
    'mlp-nrelu-s0.1-seed1 mode=mc:20 test_acc 0.9660 0.9600',
    'mlp-relu-seed1 mode=mc:5 eval row absent present',
  ]);
});

test('missing runs are one summary line (count and the first ids), not a table row each', () => {
  const missing: Difference[] = Array.from({ length: 119 }, (_, i) => ({
    run: `mlp-relu-seed${i + 1}`,
    epoch: '-',
    column: 'run',
    expected: 'present',
    actual: 'missing',
  }));
  const other: Difference = { run: 'mlp-relu-seed1', epoch: '2', column: 'test_acc', expected: '0.9', actual: '0.8' };
  const { line, rest } = missingRunsSummary([...missing, other], '/tmp/one');
  assert.deepEqual(rest, [other]);
  assert.equal(
    line,
    '119 runs of the reference are missing from /tmp/one: mlp-relu-seed1, mlp-relu-seed2, mlp-relu-seed3, ... ' +
      '(116 more); --only <run-ids> checks just the runs it has',
  );
  assert.match(
    missingRunsSummary(missing.slice(0, 1), 'x').line ?? '',
    /^1 run of the reference is missing from x: mlp-relu-seed1;/,
  );
  assert.equal(missingRunsSummary([other], 'x').line, undefined);
});

test('an edited setting or activation cell, which the tables group by, is not OK for check (m2, m9)', async () => {
  for (const [from, to] of [
    [/(\nmlp-leaky_relu-seed1,[^\n]*),leaky_relu\n/, '$1,relu\n'] as const,
    ['mlp-leaky_relu-seed1,mlp,leaky_relu,', "mlp-leaky_relu-seed1,mlp,=cmd|' /C calc'!A0,"] as const,
    ['mlp-leaky_relu-seed1,mlp,leaky_relu,', 'mlp-leaky_relu-seed1,mlp,<script>,'] as const,
  ] as const) {
    const dir = edited({ 'summary.csv': (t) => t.replace(from, to) });
    assert.notEqual(
      readFileSync(join(dir, 'summary.csv'), 'utf8'),
      readFileSync(join(REFERENCE, 'summary.csv'), 'utf8'),
    );
    const r = await runCli(['check', dir, '--reference', REFERENCE]);
    assert.notEqual(r.code, 0, `${to}: ${r.stdout}`);
    assert.doesNotMatch(r.stdout, /\bOK\b/);
    assert.match(r.stderr, /summary\.csv: line 3 \(mlp-leaky_relu-seed1\): (setting|activation) '.*' is not run/);
    const report = await runCli(['report', dir]);
    assert.notEqual(report.code, 0, report.stdout);
    assert.doesNotMatch(readFileSync(join(dir, 'comparison.csv'), 'utf8'), /=cmd|<script>/);
  }
});
