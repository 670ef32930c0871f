/**
 * Do dead units carry signal? Reads the `zero-dead` rows of a folder's eval.csv (`nrelu-bench eval DIR --mode
 * zero-dead`: each saved model scored with the units its dead probe found dead silenced) and pairs each run's score
 * with its own inference-mode score (`recorded_test_acc`, which `eval --mode deterministic` reproduces), per model and
 * setting: the accuracy the dead units' outputs were worth. One Holm family over every row printed.
 *
 *   npx tsx scripts/dead-signal.ts results/stress-mlp
 *
 * Silenced units are the run's `final_dead` in summary.csv (the same probe samples and rule; test/cli/eval.test.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { holm, pairedTest, type PairedResult } from '../src/stats/paired.js';
import { bySeed, pv } from '../src/report/paired-analyses.js';
import { mean } from '../src/stats/statistics.js';
import { readRowsSync, type Row } from '../src/results/files.js';
import { settingOf } from '../src/results/pooling.js';

export interface DeadSignalRow {
  model: string;
  setting: string;
  /** Mean silenced units, of how many. */
  silenced: number;
  units: number;
  /** Mean inference-mode accuracy, and zero-dead minus it, paired by run. */
  accuracy: number;
  paired: PairedResult;
  pHolm: number | null;
}

/** Per model and setting (summary.csv's order), the zero-dead score against the same runs' inference score. */
export function deadSignal(summary: Row[], evalRows: Row[]): DeadSignalRow[] {
  const zeroed = evalRows.filter((r) => r.mode === 'zero-dead');
  const runs = new Map(summary.map((r) => [r.run_id, r]));
  const groups = new Map<string, Row[]>();
  for (const r of zeroed) {
    const key = `${r.model}\u0000${r.setting}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const order = new Map<string, number>();
  summary.forEach((r, i) =>
    order.set(`${r.model}\u0000${settingOf(r)}`, order.get(`${r.model}\u0000${settingOf(r)}`) ?? i),
  );
  const rows = [...groups.entries()]
    .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity))
    .map(([, group]): DeadSignalRow => {
      const own = group.map((r) => runs.get(r.run_id) as Row);
      return {
        model: group[0].model,
        setting: group[0].setting,
        silenced: mean(own.map((r) => Number(r.final_dead))),
        units: Number(own[0].units),
        accuracy: mean(group.map((r) => Number(r.recorded_test_acc))),
        paired: pairedTest(bySeed(group, 'test_acc'), bySeed(group, 'recorded_test_acc'), 0),
        pHolm: null,
      };
    });
  holm(rows.map((r) => r.paired.p)).forEach((p, i) => (rows[i].pHolm = p));
  return rows;
}

const pp = (x: number): string => (Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`);

export function markdown(rows: DeadSignalRow[]): string {
  const tested = rows.filter((r) => r.paired.p !== null).length;
  const lines = [
    `Zero-dead minus inference-mode test accuracy, paired by run (Holm over ${tested} tests; p is – where every run's`,
    'difference is the same, e.g. all 0):',
    '',
    '| model | setting | n | dead units silenced | test acc (%) | Δ acc zero-dead (pp) [95% CI] | p | Holm p |',
    '|---|---|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of rows) {
    const d = r.paired;
    const ci = Number.isNaN(d.ciLow) ? '' : ` [${pp(d.ciLow)}, ${pp(d.ciHigh)}]`;
    lines.push(
      `| ${r.model} | ${r.setting} | ${d.n} | ${r.silenced.toFixed(1)} / ${r.units} | ${(100 * r.accuracy).toFixed(2)} ` +
        `| ${pp(d.meanDiff)}${ci} | ${pv(d.p)} | ${pv(r.pHolm)} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error(
      'usage: tsx scripts/dead-signal.ts RESULTS_DIR   (after `nrelu-bench eval RESULTS_DIR --mode zero-dead`)',
    );
    process.exit(2);
  }
  const evalRows = readRowsSync(join(dir, 'eval.csv'));
  if (!evalRows.some((r) => r.mode === 'zero-dead')) {
    console.error(`${dir}/eval.csv has no zero-dead rows: run \`nrelu-bench eval ${dir} --mode zero-dead\` first`);
    process.exit(1);
  }
  console.log(markdown(deadSignal(readRowsSync(join(dir, 'summary.csv')), evalRows)));
}
