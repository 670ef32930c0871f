/**
 * The numbers of results/README.md that neither the comparison (`nrelu-bench report`) nor the two other scripts print:
 * a column of epochs.csv or dead_neurons.csv at chosen epochs, and the MC evaluation's change over inference mode.
 * Same statistics as everywhere else (src/stats): mean over seeds with its 95% t-interval, and paired by seed with the
 * paired t-test. Only completed runs count.
 *
 *   npx tsx scripts/findings.ts epoch results/mechanism-cnn --column dead --epochs 1,8
 *   npx tsx scripts/findings.ts epoch results/mechanism-cnn --layers --column preact_shift --settings nrelu-s0.1 \
 *     --epochs 1,8 --decimals 3 --range
 *   npx tsx scripts/findings.ts epoch results/mechanism-mlp --layers --column revived --sum
 *   npx tsx scripts/findings.ts epoch results/paper-cnn --column test_loss --epochs 1 --against relu --decimals 4
 *   npx tsx scripts/findings.ts mc results/mechanism-cnn results/paper-cnn
 *
 * `epoch`: per model, setting, layer (`--layers`: dead_neurons.csv's rows; else epochs.csv's, layer `all`) and epoch
 * (`--epochs` a list, `last` the run's last; default last), the column's mean over seeds [95% t-interval] and SD, and with
 * `--range` its smallest and largest value; `--sum` sums the column over each run's epochs first (deaths, revivals).
 * `--against SETTING` (or `model:setting`) adds the paired difference from that setting by seed, [95% CI], paired p
 * (unadjusted), the SD of the differences and the interval's half-width (one decimal more), and with `--per-seed` the
 * differences themselves; `--level 0.9` gives the difference a 90% interval instead (TOST's at 5%).
 * `--scale 100` prints a share or an accuracy in % (pp). `--model`, `--settings`, `--seeds 1-5` keep some rows.
 *
 * `mc`: per model and setting of eval.csv's `mc:K` rows (one folder or several: a run evaluated in two folders must give
 * the same numbers there, and counts once), the test accuracy minus the same run's inference-mode accuracy
 * (`recorded_test_acc`, which a `deterministic` evaluation reproduces), paired by run, in pp.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pairedTest, type BySeed, type PairedResult } from '../src/stats/paired.js';
import { summarize, type Summary } from '../src/stats/statistics.js';
import { readRowsSync, type Row } from '../src/results/files.js';
import { settingOf } from '../src/results/pooling.js';
import { pv } from '../src/report/paired-analyses.js';

export interface EpochRow {
  model: string;
  setting: string;
  layer: string;
  epoch: string;
  summary: Summary;
  min: number;
  max: number;
  against: PairedResult | null;
  /** The values by seed, and the paired setting's. */
  bySeed: BySeed;
  againstBySeed: BySeed | null;
}

export interface EpochOptions {
  column: string;
  layers?: boolean;
  /** Epoch numbers, or 'last'; ignored with `sum`. */
  epochs?: string[];
  sum?: boolean;
  model?: string;
  settings?: string[];
  against?: string;
  scale?: number;
  /** Keep only these seeds (all if absent). */
  seeds?: number[];
  /** The confidence level of the paired difference's interval (default 0.95, the paired test's). */
  level?: number;
}

/** `1-5,8` → [1, 2, 3, 4, 5, 8]. */
export function parseSeeds(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (!Number.isInteger(from) || (to !== undefined && !Number.isInteger(to))) throw new Error(`--seeds ${list}`);
    return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

const filled = (cell: string | undefined): boolean => (cell ?? '').trim() !== '' && Number.isFinite(Number(cell));

/** summary.csv and epochs.csv or dead_neurons.csv of one folder → the column per model, setting, layer and epoch. */
export function epochTable(summary: Row[], rows: Row[], options: EpochOptions): EpochRow[] {
  const scale = options.scale ?? 1;
  const runs = new Map(
    summary
      .filter(
        (r) => r.status === 'completed' && (options.seeds === undefined || options.seeds.includes(Number(r.seed))),
      )
      .map((r) => [r.run_id, r]),
  );
  // run id -> layer -> epoch -> value
  const values = new Map<string, Map<string, Map<number, number>>>();
  for (const r of rows) {
    if (!runs.has(r.run_id) || !filled(r[options.column])) continue;
    const layer = options.layers ? r.layer : 'all';
    const byLayer = values.get(r.run_id) ?? new Map<string, Map<number, number>>();
    values.set(r.run_id, byLayer);
    const byEpoch = byLayer.get(layer) ?? new Map<number, number>();
    byLayer.set(layer, byEpoch);
    byEpoch.set(Number(r.epoch), Number(r[options.column]) * scale);
  }
  const pick = (byEpoch: Map<number, number>, epoch: string): number | undefined => {
    if (options.sum) return [...byEpoch.values()].reduce((s, v) => s + v, 0);
    const at = epoch === 'last' ? Math.max(...byEpoch.keys()) : Number(epoch);
    return byEpoch.get(at);
  };
  const seedsOf = (model: string, setting: string, layer: string, epoch: string): BySeed => {
    const out: BySeed = new Map();
    for (const [id, run] of runs) {
      if (run.model !== model || settingOf(run) !== setting) continue;
      const byEpoch = values.get(id)?.get(layer);
      const v = byEpoch && pick(byEpoch, epoch);
      if (v !== undefined) out.set(Number(run.seed), v);
    }
    return out;
  };
  const epochs = options.sum ? ['sum'] : (options.epochs ?? ['last']);
  const out: EpochRow[] = [];
  const models = [...new Set([...runs.values()].map((r) => r.model))].filter(
    (m) => options.model === undefined || m === options.model,
  );
  for (const model of models) {
    const mine = [...runs.values()].filter((r) => r.model === model);
    const settings = [...new Set(mine.map(settingOf))].filter(
      (s) => !options.settings?.length || options.settings.includes(s),
    );
    const layers = [...new Set(mine.flatMap((r) => [...(values.get(r.run_id)?.keys() ?? [])]))];
    for (const setting of settings) {
      for (const layer of layers) {
        for (const epoch of epochs) {
          const here = seedsOf(model, setting, layer, epoch);
          if (here.size === 0) continue;
          const list = [...here.values()];
          let against: PairedResult | null = null;
          let againstBySeed: BySeed | null = null;
          if (options.against) {
            const at = options.against.indexOf(':');
            const [m, s] =
              at > 0 ? [options.against.slice(0, at), options.against.slice(at + 1)] : [model, options.against];
            if (m !== model || s !== setting) {
              againstBySeed = seedsOf(m, s, layer, epoch);
              against = pairedTest(here, againstBySeed, 0);
              if (options.level !== undefined && options.level !== 0.95) {
                const other = againstBySeed;
                const s2 = summarize(
                  against.seeds.map((seed) => (here.get(seed) as number) - (other.get(seed) as number)),
                  options.level,
                );
                [against.ciLow, against.ciHigh] = [s2.ciLow, s2.ciHigh];
              }
            }
          }
          out.push({
            model,
            setting,
            layer,
            epoch,
            summary: summarize(list),
            min: Math.min(...list),
            max: Math.max(...list),
            against,
            bySeed: here,
            againstBySeed,
          });
        }
      }
    }
  }
  return out;
}

export interface McRow {
  model: string;
  setting: string;
  mode: string;
  seeds: number[];
  /** mc:K accuracy minus inference-mode accuracy, by run. */
  change: PairedResult;
}

/** eval.csv rows of one or more folders → each setting's mc:K accuracy minus its inference-mode accuracy. */
export function mcTable(evalRows: Row[]): McRow[] {
  const once = new Map<string, Row>();
  for (const r of evalRows.filter((x) => x.mode.startsWith('mc:'))) {
    const key = `${r.model}\u0000${r.setting}\u0000${r.seed}\u0000${r.mode}`;
    const seen = once.get(key);
    if (seen && (seen.test_acc !== r.test_acc || seen.recorded_test_acc !== r.recorded_test_acc)) {
      throw new Error(`${r.run_id} ${r.mode}: two folders give different numbers`);
    }
    once.set(key, r);
  }
  const groups = new Map<string, Row[]>();
  for (const r of once.values()) {
    const key = `${r.model}\u0000${r.setting}\u0000${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map((rows) => {
      const of = (column: string): BySeed => new Map(rows.map((r) => [Number(r.seed), Number(r[column])]));
      const change = pairedTest(of('test_acc'), of('recorded_test_acc'), 0);
      return { model: rows[0].model, setting: rows[0].setting, mode: rows[0].mode, seeds: change.seeds, change };
    })
    .sort(
      (a, b) => a.model.localeCompare(b.model) || a.setting.localeCompare(b.setting) || a.mode.localeCompare(b.mode),
    );
}

/** A signed number at fixed decimals: `+0.25`, `-0.01`. */
const signed = (x: number, decimals: number): string =>
  Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(decimals)}`;
const plain = (x: number, decimals: number): string => (Number.isNaN(x) ? '–' : x.toFixed(decimals));
const interval = (mean: number, low: number, high: number, decimals: number, sign: boolean): string => {
  const f = sign ? signed : plain;
  return Number.isNaN(low) ? f(mean, decimals) : `${f(mean, decimals)} [${f(low, decimals)}, ${f(high, decimals)}]`;
};

/** Seeds as ranges: `1-5, 8`. */
const seedList = (seeds: number[]): string =>
  seeds
    .reduce<number[][]>((runs, s) => {
      const last = runs[runs.length - 1];
      if (last && s === last[last.length - 1] + 1) last.push(s);
      else runs.push([s]);
      return runs;
    }, [])
    .map((r) => (r.length > 1 ? `${r[0]}-${r[r.length - 1]}` : `${r[0]}`))
    .join(', ');

/** The per-seed differences of a row from its paired setting, in seed order. */
function differences(p: PairedResult, here: EpochRow): number[] {
  return p.seeds.map((s) => (here.bySeed.get(s) as number) - (here.againstBySeed?.get(s) as number));
}

export function epochMarkdown(
  rows: EpochRow[],
  column: string,
  decimals: number,
  range: boolean,
  against?: string,
  perSeed = false,
  level = 0.95,
): string {
  const pct = `${Math.round(level * 100)}%`;
  const sign = rows.some((r) => r.min < 0);
  const head = ['model', 'setting', 'layer', 'epoch', 'n', `${column} mean [95% CI]`, 'SD'];
  if (range) head.push('min', 'max');
  if (against) head.push(`Δ vs ${against} [${pct} CI]`, 'paired p', 'paired SD', `${pct} half-width`);
  if (against && perSeed) head.push('Δ per seed');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.model,
      r.setting,
      r.layer,
      r.epoch,
      String(r.summary.n),
      interval(r.summary.mean, r.summary.ciLow, r.summary.ciHigh, decimals, sign),
      plain(r.summary.std, decimals),
    ];
    if (range) cells.push(plain(r.min, decimals), plain(r.max, decimals));
    if (against) {
      const a = r.against;
      cells.push(
        a && a.n > 0 ? interval(a.meanDiff, a.ciLow, a.ciHigh, decimals, true) : '–',
        pv(a?.p ?? null),
        a && a.n > 1 ? plain(a.sdDiff, decimals + 1) : '–',
        a && a.n > 1 ? plain((a.ciHigh - a.ciLow) / 2, decimals + 1) : '–',
      );
      if (perSeed)
        cells.push(
          a
            ? differences(a, r)
                .map((d) => signed(d, decimals))
                .join(', ')
            : '–',
        );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function mcMarkdown(rows: McRow[]): string {
  return [
    '| model | setting | mode | n | seeds | minus inference mode (pp) [95% CI] | paired p |',
    '|---|---|---|---:|---|---|---:|',
    ...rows.map((r) => {
      const c = r.change;
      const pp = (x: number): number => x * 100;
      return `| ${r.model} | ${r.setting} | ${r.mode} | ${c.n} | ${seedList(r.seeds)} | ${interval(pp(c.meanDiff), pp(c.ciLow), pp(c.ciHigh), 2, true)} | ${pv(c.p)} |`;
    }),
    '',
  ].join('\n');
}

const USAGE =
  'usage: tsx scripts/findings.ts epoch RESULTS_DIR --column COLUMN [--layers] [--epochs 1,8|last] [--sum] ' +
  '[--model M] [--settings a,b] [--seeds 1-5] [--against SETTING|model:setting [--per-seed] [--level 0.9]] ' +
  '[--scale K] ' +
  '[--decimals D] [--range]\n' +
  '       tsx scripts/findings.ts mc RESULTS_DIR [RESULTS_DIR ...]';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    options: {
      column: { type: 'string' },
      layers: { type: 'boolean', default: false },
      epochs: { type: 'string' },
      sum: { type: 'boolean', default: false },
      model: { type: 'string' },
      settings: { type: 'string' },
      against: { type: 'string' },
      scale: { type: 'string' },
      decimals: { type: 'string' },
      range: { type: 'boolean', default: false },
      seeds: { type: 'string' },
      level: { type: 'string' },
      'per-seed': { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const [command, ...dirs] = positionals;
  const fail = (message: string): never => {
    console.error(message);
    process.exit(2);
  };
  if (dirs.length === 0) fail(USAGE);
  if (command === 'mc') {
    try {
      process.stdout.write(mcMarkdown(mcTable(dirs.flatMap((d) => readRowsSync(join(d, 'eval.csv'))))));
    } catch (e) {
      fail(`findings mc: ${(e as Error).message}`);
    }
  } else if (command === 'epoch') {
    const column = values.column ?? fail(USAGE);
    if (dirs.length !== 1) fail('findings epoch: one results folder');
    const summary = readRowsSync(join(dirs[0], 'summary.csv'));
    const rows = readRowsSync(join(dirs[0], values.layers ? 'dead_neurons.csv' : 'epochs.csv'));
    if (rows.length > 0 && !(column in rows[0])) fail(`--column ${column}: no such column in ${dirs[0]}`);
    const table = epochTable(summary, rows, {
      column,
      layers: values.layers,
      epochs: values.epochs?.split(',').filter(Boolean),
      sum: values.sum,
      model: values.model,
      settings: values.settings?.split(',').filter(Boolean),
      against: values.against,
      scale: values.scale === undefined ? 1 : Number(values.scale),
      seeds: values.seeds === undefined ? undefined : parseSeeds(values.seeds),
      level: values.level === undefined ? undefined : Number(values.level),
    });
    const decimals = values.decimals === undefined ? 1 : Number(values.decimals);
    process.stdout.write(
      epochMarkdown(
        table,
        column,
        decimals,
        values.range,
        values.against,
        values['per-seed'],
        values.level === undefined ? 0.95 : Number(values.level),
      ),
    );
  } else {
    fail(USAGE);
  }
}
